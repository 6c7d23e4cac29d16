import { Prisma } from "./generated/prisma/client.js";
import { type RawClient, rawQuery } from "./raw-rows.js";

// The outbox (see outbox.ts): pending deliveries whose `enqueued_at` is null.
const backlog = rawQuery({
  name: "outbox backlog",
  columns: { deliveries: ["enqueued_at", "status"] },
  row: { backlog: "int4" },
  // The outbox is one range of the (status, enqueued_at, created_at) index (pending, enqueued_at null), in
  // each partition: only its rows are visited, however many finished rows have a null enqueued_at.
  sql: () =>
    Prisma.sql`SELECT count(*)::int AS backlog FROM deliveries WHERE enqueued_at IS NULL AND status = 'pending'`,
});

/** Deliveries committed but not yet in the queue (the outbox the dispatcher's sweep enqueues). */
export async function countOutboxBacklog(db: RawClient): Promise<number> {
  const [row] = await backlog.rows(db);
  return row?.backlog ?? 0;
}
