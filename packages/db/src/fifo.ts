import { Prisma } from "./generated/prisma/client.js";
import { type RawClient, type RowOf, rawQuery } from "./raw-rows.js";

// A FIFO webhook (`ordering: "fifo"`) gets its deliveries one at a time, in event order. Its line is its
// pending deliveries that are not replays, ordered by event id; the first is the head, and only the head
// is attempted: the others wait until it succeeds or ends failed. Replays and test sends (never pending)
// do not wait in the line.

/** The deliveries `d` of a webhook's line (a value, or a column such as `w.id`). */
const inLine = (webhook: string | Prisma.Sql) =>
  Prisma.sql`d.webhook_id = ${webhook} AND d.status = 'pending' AND d.replay_of IS NULL`;
/** A line's order: the head first. */
const LINE_ORDER = Prisma.sql`ORDER BY d.event_id, d.id`;

const head = rawQuery({
  name: "fifo head",
  columns: { deliveries: ["id", "webhook_id", "status", "replay_of", "event_id", "next_attempt_at"] },
  row: { id: "text", nextAttemptAt: "timestamptz | null" },
  sql: (webhookId: string) => Prisma.sql`
    SELECT d.id, d.next_attempt_at AS "nextAttemptAt" FROM deliveries d
    WHERE ${inLine(webhookId)} ${LINE_ORDER} LIMIT 1`,
});

export type FifoHead = RowOf<typeof head.row>;

/** The delivery a FIFO webhook may attempt now, or none when its line is empty. */
export async function fifoHead(db: RawClient, webhookId: string): Promise<FifoHead | undefined> {
  return (await head.rows(db, webhookId))[0];
}

const lines = rawQuery({
  name: "fifo lines",
  columns: {
    deliveries: ["id", "webhook_id", "status", "replay_of", "event_id", "attempt_count"],
    attempts: ["delivery_id", "created_at"],
  },
  row: { webhookId: "text", waiting: "int4", blockedSince: "timestamptz | null" },
  sql: (webhookIds: string[]) => Prisma.sql`
    SELECT w.id AS "webhookId",
           (SELECT count(*)::int FROM deliveries d WHERE ${inLine(Prisma.sql`w.id`)}) - 1 AS waiting,
           CASE WHEN h.attempt_count > 0
                THEN (SELECT min(a.created_at) FROM attempts a WHERE a.delivery_id = h.id) END AS "blockedSince"
    FROM unnest(${webhookIds}::text[]) AS w(id)
    CROSS JOIN LATERAL (
      SELECT d.id, d.attempt_count FROM deliveries d WHERE ${inLine(Prisma.sql`w.id`)} ${LINE_ORDER} LIMIT 1
    ) h`,
});

export interface FifoLine {
  /** Deliveries waiting behind the head. */
  waiting: number;
  /** When the head's first attempt failed: since then the line has been held; null while it has not. */
  blockedSince: Date | null;
}

/** The lines of these FIFO webhooks, by webhook id; a webhook with an empty line is absent. */
export async function fifoLines(db: RawClient, webhookIds: string[]): Promise<Map<string, FifoLine>> {
  if (webhookIds.length === 0) return new Map();
  const rows = await lines.rows(db, webhookIds);
  return new Map(
    rows.map((row) => [row.webhookId, { waiting: row.waiting, blockedSince: row.blockedSince }]),
  );
}

const heads = rawQuery({
  name: "fifo heads due",
  columns: {
    webhooks: ["id", "ordering", "enabled"],
    deliveries: [
      "id",
      "webhook_id",
      "status",
      "replay_of",
      "event_id",
      "created_at",
      "next_attempt_at",
      "enqueued_at",
    ],
  },
  row: { id: "text", webhookId: "text" },
  sql: (before: Date) => Prisma.sql`
    SELECT h.id, w.id AS "webhookId" FROM webhooks w
    CROSS JOIN LATERAL (
      SELECT d.id, d.created_at, d.next_attempt_at, d.enqueued_at FROM deliveries d
      WHERE ${inLine(Prisma.sql`w.id`)} ${LINE_ORDER} LIMIT 1
    ) h
    WHERE w.ordering = 'fifo' AND w.enabled AND h.enqueued_at IS NOT NULL
      AND COALESCE(h.next_attempt_at, h.created_at) < ${before}`,
});

/**
 * The heads of FIFO lines that were due before `before`: the sweep checks their jobs, since the deliveries
 * behind a head wait without one and only the head's end enqueues the next.
 */
export function fifoHeadsDue(db: RawClient, before: Date): Promise<Array<RowOf<typeof heads.row>>> {
  return heads.rows(db, before);
}

/**
 * A webhook leaving FIFO: the deliveries that waited in its line have no jobs, so all its pending ones go
 * back to the outbox, which the sweep enqueues (an add for a delivery whose job exists is a no-op).
 */
export async function releaseFifoLine(db: Pick<Prisma.TransactionClient, "delivery">, webhookId: string) {
  await db.delivery.updateMany({
    where: { webhookId, status: "pending", replayOfId: null },
    data: { enqueuedAt: null },
  });
}

const leaseClaim = rawQuery({
  name: "claim fifo lease",
  columns: {
    webhooks: ["id", "fifo_in_flight", "fifo_lease_until"],
    deliveries: ["id", "webhook_id", "status", "replay_of", "event_id"],
  },
  row: {},
  sql: (webhookId: string, deliveryId: string, leaseMs: number) => Prisma.sql`
    UPDATE webhooks SET fifo_in_flight = ${deliveryId},
                        fifo_lease_until = now() + ${leaseMs}::int * interval '1 millisecond'
    WHERE id = ${webhookId}
      AND ${deliveryId} = (SELECT d.id FROM deliveries d WHERE ${inLine(webhookId)} ${LINE_ORDER} LIMIT 1)
      AND (fifo_in_flight IS NULL OR fifo_in_flight = ${deliveryId} OR fifo_lease_until < now()
           -- its holder's attempt was recorded, but the holder died before giving the lease back
           OR NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.id = webhooks.fifo_in_flight AND d.status = 'pending'))`,
});

/**
 * Takes the line's lease for the delivery if it is the head, in one statement: only the head is sent, and
 * the lease keeps it to one in flight (an event committed late with a lower id becomes the head while the
 * previous head is in flight). The same delivery may take it again (a stalled job's rerun); a lease whose
 * holder is no longer pending, or that ran out (its holder died mid-attempt), may be taken over. False: the
 * delivery is behind the head, or another delivery of the line is in flight.
 */
export async function claimFifoLease(
  db: RawClient,
  { webhookId, deliveryId, leaseMs }: { webhookId: string; deliveryId: string; leaseMs: number },
): Promise<boolean> {
  return (await leaseClaim.execute(db, webhookId, deliveryId, leaseMs)) === 1;
}

const leaseRelease = rawQuery({
  name: "release fifo lease",
  columns: { webhooks: ["id", "fifo_in_flight", "fifo_lease_until"] },
  row: {},
  sql: (webhookId: string, deliveryId: string) => Prisma.sql`
    UPDATE webhooks SET fifo_in_flight = NULL, fifo_lease_until = NULL
    WHERE id = ${webhookId} AND fifo_in_flight = ${deliveryId}`,
});

/** Gives the lease back once the head's attempt is recorded (or it was not sent). */
export async function releaseFifoLease(
  db: RawClient,
  { webhookId, deliveryId }: { webhookId: string; deliveryId: string },
): Promise<void> {
  await leaseRelease.execute(db, webhookId, deliveryId);
}
