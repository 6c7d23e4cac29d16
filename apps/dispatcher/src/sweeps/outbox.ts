import { type Database, markEnqueued } from "@hookrelay/db";
import {
  DELIVER_JOB,
  type DeliveryQueueProducer,
  deliverJobOptions,
  enqueueDeliveries,
  type Logger,
} from "@hookrelay/shared";
import type { Queue } from "bullmq";
import type { Redis } from "ioredis";

const BATCH = 500;
/** Deliveries re-enqueued per statement and addBulk after Redis lost its data. */
const RESTORE_BATCH = 2_000;
/** A key in the delivery queue's keyspace, set once every pending delivery is known to be in the queue. */
const QUEUE_MARKER = "hookrelay-complete";
/** A delivery whose next try is this far overdue is checked against the queue. */
const OVERDUE_MS = 5 * 60_000;

export interface OutboxSweepOptions {
  db: Database;
  queue: DeliveryQueueProducer & Pick<Queue, "getJobState" | "remove" | "toKey">;
  /** The queue's Redis, for the marker that tells whether Redis lost its data. */
  redis: Pick<Redis, "get" | "set">;
  logger: Logger;
  /** How old an unenqueued delivery must be before the sweep takes it (lets the api enqueue first). */
  graceMs: number;
}

/**
 * Nothing lost: (1) deliveries committed but never enqueued (Redis was down at ingest, or the api died
 * between commit and enqueue) are enqueued; (2) pending deliveries long overdue whose job is gone from
 * Redis (flushed, failed by BullMQ) are enqueued again. Enqueue is idempotent (job id = delivery id) and
 * the worker skips deliveries that are no longer pending, so several dispatchers may sweep at once.
 * Returns how many deliveries it enqueued.
 */
export async function sweepOutbox({
  db,
  queue,
  redis,
  logger,
  graceMs,
}: OutboxSweepOptions): Promise<number> {
  let enqueued = 0;
  for (;;) {
    const rows = await db.delivery.findMany({
      where: { status: "pending", enqueuedAt: null, createdAt: { lt: new Date(Date.now() - graceMs) } },
      select: { id: true },
      orderBy: { createdAt: "asc" },
      take: BATCH,
    });
    if (rows.length === 0) break;
    const ids = rows.map((row) => row.id);
    await enqueueDeliveries(queue, ids);
    await markEnqueued(db, ids);
    enqueued += ids.length;
    if (rows.length < BATCH) break;
  }

  const restored = await restoreAfterDataLoss({ db, queue, redis, logger });

  const overdue = await db.delivery.findMany({
    where: {
      status: "pending",
      enqueuedAt: { not: null, lt: new Date(Date.now() - OVERDUE_MS) },
      OR: [{ nextAttemptAt: null }, { nextAttemptAt: { lt: new Date(Date.now() - OVERDUE_MS) } }],
    },
    select: { id: true },
    orderBy: { createdAt: "asc" },
    take: BATCH,
  });
  const lost: string[] = [];
  // Asked together (one round trip's wait, not one per job).
  const states = await Promise.all(overdue.map(({ id }) => queue.getJobState(id)));
  for (const [index, { id }] of overdue.entries()) {
    const state = states[index];
    if (state === "unknown" || state === "failed" || state === "completed") {
      if (state !== "unknown") await queue.remove(id);
      lost.push(id);
    }
  }
  if (lost.length > 0) {
    await enqueueDeliveries(queue, lost);
    logger.warn({ count: lost.length }, "re-enqueued pending deliveries whose jobs were gone");
  }
  if (enqueued > 0) logger.info({ count: enqueued }, "outbox sweep enqueued deliveries");
  return enqueued + restored + lost.length;
}

/**
 * Redis lost its data (a flush, a restart without persistence, a failover to an empty replica) when the
 * queue's marker key is gone: then every pending delivery goes back in the queue at its due time (its
 * `next_attempt_at`), in batches, and the marker is set again — only after the last batch, so a
 * dispatcher dying midway leaves the work to the next sweep. Detected within one sweep interval whatever
 * the backlog; on a healthy Redis it costs one GET. Enqueue is idempotent (job id = delivery id), so
 * several dispatchers may restore at once. Returns how many deliveries it put back.
 */
async function restoreAfterDataLoss({
  db,
  queue,
  redis,
  logger,
}: Pick<OutboxSweepOptions, "db" | "queue" | "redis" | "logger">): Promise<number> {
  const marker = queue.toKey(QUEUE_MARKER);
  if ((await redis.get(marker)) !== null) return 0;
  let restored = 0;
  let after = "";
  for (;;) {
    const rows = await db.delivery.findMany({
      where: { status: "pending", id: { gt: after } },
      select: { id: true, nextAttemptAt: true },
      orderBy: { id: "asc" },
      take: RESTORE_BATCH,
    });
    if (rows.length === 0) break;
    const now = Date.now();
    await queue.addBulk(
      rows.map((row) => ({
        name: DELIVER_JOB,
        data: { deliveryId: row.id },
        opts: deliverJobOptions(row.id, Math.max(0, (row.nextAttemptAt?.getTime() ?? now) - now)),
      })),
    );
    restored += rows.length;
    after = rows.at(-1)?.id ?? after;
    if (rows.length < RESTORE_BATCH) break;
  }
  await redis.set(marker, new Date().toISOString());
  if (restored > 0) {
    logger.warn({ count: restored }, "Redis had lost its data: every pending delivery is back in the queue");
  }
  return restored;
}

/** Runs the sweep every `intervalMs` (never two at once in this process). Returns a stop function. */
export function scheduleOutboxSweep(options: OutboxSweepOptions, intervalMs: number): () => Promise<void> {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(() =>
      sweepOutbox(options).catch((error) =>
        options.logger.warn({ err: (error as Error).message }, "outbox sweep failed"),
      ),
    );
  }, intervalMs);
  return async () => {
    clearInterval(timer);
    await running;
  };
}
