import type { Database } from "./client.js";
import { Prisma } from "./generated/prisma/client.js";
import { rawQuery } from "./raw-rows.js";

// The outbox convention: a delivery row is the truth, its BullMQ job only a copy. `enqueued_at` null means
// "not known to be in the queue" (the api died or Redis was down between commit and enqueue); the
// dispatcher's sweep enqueues those, and checks that overdue pending deliveries still have their job.

/** A delivery as the queues need it: its id (the job id) and its webhook (which picks the queue shard). */
export interface QueuedDeliveryRow {
  id: string;
  webhookId: string;
}

/** Where a walk over the outbox stands: the last row handled. */
export interface OutboxCursor {
  createdAt: Date;
  id: string;
}

const unenqueued = rawQuery({
  name: "unenqueued deliveries",
  columns: { deliveries: ["id", "webhook_id", "created_at", "status", "enqueued_at"] },
  row: { id: "text", webhookId: "text", createdAt: "timestamptz" },
  sql: (before: Date, limit: number, after: OutboxCursor) => Prisma.sql`
    SELECT id, webhook_id AS "webhookId", created_at AS "createdAt" FROM deliveries
    WHERE status = 'pending' AND enqueued_at IS NULL AND created_at < ${before}
      AND created_at >= ${after.createdAt} AND (created_at, id) > (${after.createdAt}, ${after.id})
    ORDER BY created_at, id LIMIT ${limit}`,
});

/**
 * Pending deliveries never enqueued, created before `before`, oldest first, after `after` (a walk goes on
 * past rows it could not enqueue, e.g. of a Redis shard that is down).
 */
export function unenqueuedDeliveries(
  db: Database,
  before: Date,
  limit: number,
  after: OutboxCursor = { createdAt: new Date(0), id: "" },
): Promise<Array<QueuedDeliveryRow & { createdAt: Date }>> {
  return unenqueued.rows(db, before, limit, after);
}

const pendingAfter = rawQuery({
  name: "pending deliveries after",
  columns: { deliveries: ["id", "webhook_id", "next_attempt_at", "status"] },
  row: { id: "text", webhookId: "text", nextAttemptAt: "timestamptz | null" },
  sql: (afterId: string, limit: number) => Prisma.sql`
    SELECT id, webhook_id AS "webhookId", next_attempt_at AS "nextAttemptAt" FROM deliveries
    WHERE status = 'pending' AND id > ${afterId}
    ORDER BY id LIMIT ${limit}`,
});

/** Pending deliveries after `afterId` in id order, with when each is due (its next try, null: now). */
export function pendingDeliveriesAfter(
  db: Database,
  afterId: string,
  limit: number,
): Promise<Array<QueuedDeliveryRow & { nextAttemptAt: Date | null }>> {
  return pendingAfter.rows(db, afterId, limit);
}

/** Where the overdue check stopped in each of its two ranges. */
export interface OverdueCursor {
  /** Never tried: due since created_at. */
  untried: { at: Date; id: string };
  /** Retrying: due at next_attempt_at. */
  retrying: { at: Date; id: string };
}

export const OVERDUE_CURSOR_START: OverdueCursor = {
  untried: { at: new Date(0), id: "" },
  retrying: { at: new Date(0), id: "" },
};

// A FIFO line's deliveries wait without jobs (only the head has one), so the walk for lost jobs leaves them
// out; the sweep checks each line's head instead (fifoHeadsDue).
const NOT_WAITING_IN_A_FIFO_LINE = Prisma.sql`(replay_of IS NOT NULL
  OR webhook_id NOT IN (SELECT id FROM webhooks WHERE ordering = 'fifo'))`;

const overdueUntried = rawQuery({
  name: "overdue untried deliveries",
  columns: {
    deliveries: ["id", "webhook_id", "created_at", "status", "next_attempt_at", "enqueued_at", "replay_of"],
    webhooks: ["id", "ordering"],
  },
  row: { id: "text", webhookId: "text", at: "timestamptz" },
  sql: (after: { at: Date; id: string }, before: Date, limit: number) => Prisma.sql`
      SELECT id, webhook_id AS "webhookId", created_at AS at FROM deliveries
      WHERE status = 'pending' AND next_attempt_at IS NULL
        AND created_at >= ${after.at} AND created_at < ${before}
        AND (created_at, id) > (${after.at}, ${after.id})
        AND enqueued_at IS NOT NULL
        AND ${NOT_WAITING_IN_A_FIFO_LINE}
      ORDER BY created_at, id LIMIT ${limit}`,
});

const overdueRetrying = rawQuery({
  name: "overdue retrying deliveries",
  columns: {
    deliveries: ["id", "webhook_id", "next_attempt_at", "status", "enqueued_at", "replay_of"],
    webhooks: ["id", "ordering"],
  },
  // Never null in the range walked; PostgreSQL can only say the column may be.
  row: { id: "text", webhookId: "text", at: "timestamptz | null" },
  sql: (after: { at: Date; id: string }, before: Date, limit: number) => Prisma.sql`
      SELECT id, webhook_id AS "webhookId", next_attempt_at AS at FROM deliveries
      WHERE status = 'pending'
        AND next_attempt_at >= ${after.at} AND next_attempt_at < ${before}
        AND (next_attempt_at, id) > (${after.at}, ${after.id})
        AND enqueued_at IS NOT NULL
        AND ${NOT_WAITING_IN_A_FIFO_LINE}
      ORDER BY next_attempt_at, id LIMIT ${limit}`,
});

type OverdueRow = QueuedDeliveryRow & { at: Date | null };

/**
 * The next enqueued pending deliveries that were due before `before`, after `cursor`, at most `limit` of
 * each kind, and the cursor to continue from (back at the start of a range once it is walked to its end).
 * Both ranges are walked on the (status, next_attempt_at, created_at) index, so a check reads only overdue
 * rows — never the pending ones that are not due yet — and at most `2 × limit` of them.
 */
export async function overdueDeliveries(
  db: Database,
  cursor: OverdueCursor,
  before: Date,
  limit: number,
): Promise<{ deliveries: QueuedDeliveryRow[]; next: OverdueCursor }> {
  const [untried, retrying] = await Promise.all([
    overdueUntried.rows(db, cursor.untried, before, limit),
    overdueRetrying.rows(db, cursor.retrying, before, limit),
  ]);
  const continueFrom = (rows: OverdueRow[], start: { at: Date; id: string }) => {
    const last = rows.at(-1);
    return rows.length < limit || !last?.at ? start : { at: last.at, id: last.id };
  };
  const next = {
    untried: continueFrom(untried, OVERDUE_CURSOR_START.untried),
    retrying: continueFrom(retrying, OVERDUE_CURSOR_START.retrying),
  };
  const done =
    next.untried === OVERDUE_CURSOR_START.untried && next.retrying === OVERDUE_CURSOR_START.retrying;
  // Back at the start of both ranges: the very same object, so callers can tell a walk has ended.
  return {
    deliveries: [...untried, ...retrying].map(({ id, webhookId }) => ({ id, webhookId })),
    next: done ? OVERDUE_CURSOR_START : next,
  };
}
