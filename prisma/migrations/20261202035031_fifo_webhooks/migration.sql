-- AlterTable
ALTER TABLE "webhooks" ADD COLUMN     "ordering" TEXT NOT NULL DEFAULT 'none';

-- CreateIndex
CREATE INDEX "deliveries_webhook_id_status_event_id_idx" ON "deliveries"("webhook_id", "status", "event_id");

