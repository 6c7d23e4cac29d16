import type { Database } from "@hookrelay/db";
import { type DeliveryQueueProducer, enqueueDeliveries, type Logger } from "@hookrelay/shared";
import type { Queue } from "bullmq";

const BATCH = 500;
/** A delivery whose next try is this far overdue is checked against the queue. */
const OVERDUE_MS = 5 * 60_000;

export interface OutboxSweepOptions {
  db: Database;
  queue: DeliveryQueueProducer & Pick<Queue, "getJobState" | "remove">;
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
export async function sweepOutbox({ db, queue, logger, graceMs }: OutboxSweepOptions): Promise<number> {
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
    await db.delivery.updateMany({ where: { id: { in: ids } }, data: { enqueuedAt: new Date() } });
    enqueued += ids.length;
    if (rows.length < BATCH) break;
  }

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
  for (const { id } of overdue) {
    const state = await queue.getJobState(id);
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
  return enqueued + lost.length;
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
