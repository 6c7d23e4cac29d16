-- Measured at 1 M deliveries (npm run bench -- --scenario size): deleting a delivery scanned the table for
-- replays (replay_of had no index), the delivery log filtered by a rare event type walked the webhook's whole
-- log, and the outbox sweep and backlog gauge walked every finished row whose enqueued_at is null.
-- DropIndex
DROP INDEX "deliveries_enqueued_at_created_at_idx";

-- CreateIndex
CREATE INDEX "deliveries_webhook_id_event_type_id_idx" ON "deliveries"("webhook_id", "event_type", "id");

-- CreateIndex
CREATE INDEX "deliveries_replay_of_idx" ON "deliveries"("replay_of");

-- CreateIndex
CREATE INDEX "deliveries_status_enqueued_at_created_at_idx" ON "deliveries"("status", "enqueued_at", "created_at");

-- CreateIndex
CREATE INDEX "deliveries_status_id_idx" ON "deliveries"("status", "id");

