import type { Database } from "./client.js";
import { Prisma } from "./generated/prisma/client.js";
import { rawQuery } from "./raw-rows.js";

// Which event holds each idempotency key of a project: its own table (see IdempotencyKey in the schema),
// claimed in the statement that inserts the event (insertEventsWithDeliveries), so two requests with one
// key store one event between them.

/** The event holding a key, with the number of its deliveries (replays not counted). */
export interface KeyHolder {
  id: string;
  eventType: string;
  createdAt: Date;
  deliveries: number;
}

// The count is a correlated subquery on the event's deliveries (their event_id index), never a GROUP BY.
const keyHolder = rawQuery({
  name: "idempotency key holder",
  columns: {
    idempotency_keys: ["project_id", "key", "event_id", "expires_at"],
    events: ["id", "event_type", "created_at"],
    deliveries: ["event_id", "replay_of"],
  },
  row: { id: "text", eventType: "text", createdAt: "timestamptz", deliveries: "int4" },
  sql: (projectId: string, key: string, now: Date) => Prisma.sql`
    SELECT e.id, e.event_type AS "eventType", e.created_at AS "createdAt",
           (SELECT count(*) FROM deliveries d WHERE d.event_id = e.id AND d.replay_of IS NULL)::int AS deliveries
    FROM idempotency_keys k JOIN events e ON e.id = k.event_id
    WHERE k.project_id = ${projectId} AND k.key = ${key}
      AND (k.expires_at IS NULL OR k.expires_at > ${now}::timestamptz)`,
});

/** The event holding `key` in the project, unless the key has expired (then it is free to claim again). */
export async function idempotencyKeyHolder(
  db: Database,
  { projectId, key, now = new Date() }: { projectId: string; key: string; now?: Date },
): Promise<KeyHolder | null> {
  const [holder] = await keyHolder.rows(db, projectId, key, now);
  return holder ?? null;
}

const expiredKeysDeletion = rawQuery({
  name: "delete expired idempotency keys",
  columns: { idempotency_keys: ["project_id", "key", "expires_at"] },
  row: {},
  sql: (now: Date, batchSize: number) => Prisma.sql`
      DELETE FROM idempotency_keys WHERE (project_id, key) IN (
        SELECT project_id, key FROM idempotency_keys WHERE expires_at <= ${now}::timestamptz
        LIMIT ${batchSize}::int FOR UPDATE SKIP LOCKED)`,
});

/**
 * Deletes expired keys, at most `batchSize × maxBatches` per call (an expired key is free to claim either
 * way: this only keeps the table small). Returns how many went.
 */
export async function deleteExpiredIdempotencyKeys(
  db: Database,
  now: Date,
  { batchSize = 5_000, maxBatches = 100 }: { batchSize?: number; maxBatches?: number } = {},
): Promise<number> {
  let deleted = 0;
  for (let batch = 0; batch < maxBatches; batch++) {
    const count = await expiredKeysDeletion.execute(db, now, batchSize);
    deleted += count;
    if (count < batchSize) break;
  }
  return deleted;
}
