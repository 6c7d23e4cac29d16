-- The outbox sweep's overdue check reads only overdue pending rows through this index (see packages/db/src/outbox.ts).
-- CreateIndex
CREATE INDEX "deliveries_status_next_attempt_at_created_at_idx" ON "deliveries"("status", "next_attempt_at", "created_at");

