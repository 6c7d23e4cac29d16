import {
  type Database,
  markEnqueued,
  OVERDUE_CURSOR_START,
  type OverdueCursor,
  overdueDeliveries,
  pendingDeliveriesAfter,
  unenqueuedDeliveries,
} from "@hookrelay/db";
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
/** Overdue deliveries of each kind checked against the queue per sweep (one Redis round trip). */
const OVERDUE_BATCH = 1_000;
/** The overdue walk starts over after this many sweeps (an hour at the default 5 s) even if not done. */
const WALK_RESTART_SWEEPS = 720;
/** A key in the delivery queue's keyspace, set once every pending delivery is known to be in the queue. */
const QUEUE_MARKER = "hookrelay-complete";
/**
 * A delivery whose next try is this far overdue is checked against the queue. Short on purpose: besides a
 * job lost by Redis, it catches deliveries the api committed while it believed the insert had failed (a
 * black-holed database that took the commit once the network healed: the api answered 503 and never
 * enqueued). The walk's cost per sweep is bounded whatever the number of overdue rows.
 */
const OVERDUE_MS = 30_000;

/** Where this process's walk over overdue deliveries stands. */
export interface OverdueWalk {
  current: OverdueCursor;
  /** Sweeps since the walk last started from the beginning. */
  sweeps: number;
}

export function newOverdueWalk(): OverdueWalk {
  return { current: OVERDUE_CURSOR_START, sweeps: 0 };
}

export interface OutboxSweepOptions {
  db: Database;
  queue: DeliveryQueueProducer & Pick<Queue, "remove" | "toKey">;
  /** The queue's Redis: the marker that tells whether Redis lost its data, and the overdue jobs' check. */
  redis: Pick<Redis, "get" | "set" | "pipeline">;
  logger: Logger;
  /** How old an unenqueued delivery must be before the sweep takes it (lets the api enqueue first). */
  graceMs: number;
}

/**
 * Nothing lost: (1) deliveries committed but never enqueued (Redis was down at ingest, or the api died
 * between commit and enqueue) are enqueued; (2) after Redis lost its data every pending delivery is put
 * back (restoreAfterDataLoss); (3) a single job lost otherwise (a failover that dropped the last writes, a
 * job BullMQ failed) is found by walking the overdue pending deliveries with a cursor, OVERDUE_BATCH of
 * each kind per sweep, checked against Redis in one round trip — so the cost of a sweep does not grow with
 * the deliveries that are fine, and a lost job is found within OVERDUE_MS plus one walk over the overdue
 * ones. Enqueue is idempotent (job id = delivery id) and the worker skips deliveries that are no longer
 * pending, so several dispatchers may sweep at once. Returns how many deliveries it enqueued.
 */
export async function sweepOutbox(
  options: OutboxSweepOptions,
  walk: OverdueWalk = newOverdueWalk(),
): Promise<number> {
  const { db, queue, logger, graceMs } = options;
  let enqueued = 0;
  for (;;) {
    const ids = await unenqueuedDeliveries(db, new Date(Date.now() - graceMs), BATCH);
    if (ids.length === 0) break;
    await enqueueDeliveries(queue, ids);
    await markEnqueued(db, ids);
    enqueued += ids.length;
    if (ids.length < BATCH) break;
  }
  if (enqueued > 0) logger.info({ count: enqueued }, "outbox sweep enqueued deliveries");

  const restored = await restoreAfterDataLoss(options);
  const lost = restored > 0 ? 0 : await requeueLostJobs(options, walk);
  return enqueued + restored + lost;
}

/**
 * One step of the walk over overdue pending deliveries: re-enqueues those whose job is gone or finished.
 * The cursor moves on only once its page is handled, and the walk starts over every WALK_RESTART_SWEEPS
 * sweeps, so rows falling due faster than it walks cannot keep it from ever coming back to the oldest.
 */
async function requeueLostJobs(
  { db, queue, redis, logger }: OutboxSweepOptions,
  walk: OverdueWalk,
): Promise<number> {
  if (walk.sweeps >= WALK_RESTART_SWEEPS) Object.assign(walk, { current: OVERDUE_CURSOR_START, sweeps: 0 });
  const { ids, next } = await overdueDeliveries(
    db,
    walk.current,
    new Date(Date.now() - OVERDUE_MS),
    OVERDUE_BATCH,
  );
  const lost: string[] = [];
  if (ids.length > 0) {
    // A job's hash always has `timestamp`; `finishedOn` once it completed or failed. All asked at once.
    const pipeline = redis.pipeline();
    for (const id of ids) pipeline.hmget(queue.toKey(id), "timestamp", "finishedOn");
    const answers = (await pipeline.exec()) ?? [];
    for (const [index, id] of ids.entries()) {
      const [error, fields] = answers[index] ?? [null, null];
      if (error) throw error;
      const [timestamp, finishedOn] = (fields as Array<string | null> | null) ?? [null, null];
      if (timestamp !== null && finishedOn === null) continue;
      // A finished job makes way for the new one; one taken again meanwhile (locked) is not lost.
      if (timestamp !== null && !(await queue.remove(id).then(Boolean, () => false))) continue;
      lost.push(id);
    }
    if (lost.length > 0) {
      await enqueueDeliveries(queue, lost);
      logger.warn({ count: lost.length }, "re-enqueued pending deliveries whose jobs were gone");
    }
  }
  Object.assign(walk, { current: next, sweeps: next === OVERDUE_CURSOR_START ? 0 : walk.sweeps + 1 });
  return lost.length;
}

/**
 * Redis lost its data (a flush, a restart without persistence, a failover to an empty replica) when the
 * queue's marker key is gone: then every pending delivery goes back in the queue at its due time (its
 * `next_attempt_at`), in batches, and the marker is set again — only after the last batch, so a
 * dispatcher dying midway leaves the work to the next sweep. Detected within one sweep interval whatever
 * the backlog; on a healthy Redis it costs one GET. Enqueue is idempotent (job id = delivery id), so
 * several dispatchers may restore at once. Returns how many deliveries it put back.
 */
async function restoreAfterDataLoss({ db, queue, redis, logger }: OutboxSweepOptions): Promise<number> {
  const marker = queue.toKey(QUEUE_MARKER);
  if ((await redis.get(marker)) !== null) return 0;
  let restored = 0;
  let after = "";
  for (;;) {
    const rows = await pendingDeliveriesAfter(db, after, RESTORE_BATCH);
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
  const walk = newOverdueWalk();
  const timer = setInterval(() => {
    running = running.then(() =>
      sweepOutbox(options, walk).catch((error) =>
        options.logger.warn({ err: (error as Error).message }, "outbox sweep failed"),
      ),
    );
  }, intervalMs);
  return async () => {
    clearInterval(timer);
    await running;
  };
}
