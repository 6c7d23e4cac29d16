-- AlterTable
ALTER TABLE "deliveries" ADD COLUMN     "enqueued_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "webhooks" ADD COLUMN     "failing_since" TIMESTAMPTZ(3);

-- CreateIndex
CREATE INDEX "deliveries_enqueued_at_created_at_idx" ON "deliveries"("enqueued_at", "created_at");

