import {
  type Database,
  fifoHeadsDue,
  markEnqueued,
  type OutboxCursor,
  OVERDUE_CURSOR_START,
  type OverdueCursor,
  overdueDeliveries,
  pendingDeliveriesAfter,
  type QueuedDeliveryRow,
  unenqueuedDeliveries,
} from "@hookrelay/db";
import {
  type DeliveryQueueProducer,
  type DeliveryQueues,
  type DeliveryRef,
  enqueueDeliveries,
  groupByShard,
  type Logger,
  type RedisClient,
  shardFor,
  withTimeout,
} from "@hookrelay/shared";
import type { Queue } from "bullmq";

const BATCH = 500;
/** How long a due FIFO head may be without a job before the sweep enqueues it. */
const FIFO_HEAD_GRACE_MS = 2_000;
/** Deliveries re-enqueued per statement and addBulk after Redis lost its data. */
const RESTORE_BATCH = 2_000;
/** Overdue deliveries of each kind checked against the queue per sweep (one Redis round trip). */
const OVERDUE_BATCH = 1_000;
/** The overdue walk starts over after this many sweeps (an hour at the default 5 s) even if not done. */
const WALK_RESTART_SWEEPS = 720;
/**
 * A key in each delivery shard's keyspace, set (to the queues' layout and a time) once every pending
 * delivery of the shard is known to be in its queue.
 */
const QUEUE_MARKER = "hookrelay-complete";
/**
 * The sweep runs on a worker connection, which waits for Redis rather than failing: each call is bounded,
 * so a shard that does not answer (a cluster master down) cannot hold up the others' sweep.
 */
const REDIS_CALL_MS = 10_000;
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

type ShardQueue = Pick<Queue, "addBulk" | "remove" | "toKey">;

export interface OutboxSweepOptions {
  db: Database;
  queues: DeliveryQueues<ShardQueue>;
  /** The queues' Redis: the markers that tell whether Redis lost its data, and the overdue jobs' check. */
  redis: Pick<RedisClient, "get" | "set" | "pipeline">;
  logger: Logger;
  /** How old an unenqueued delivery must be before the sweep takes it (lets the api enqueue first). */
  graceMs: number;
  /** How long one Redis call (per shard) may take before the sweep gives up on that shard for now. */
  redisCallMs?: number;
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
  const enqueued = await enqueueOutbox(options);
  const restored = await restoreAfterDataLoss(options);
  const lost = restored > 0 ? 0 : await requeueLostJobs(options, walk);
  const heads = restored > 0 ? 0 : await requeueStalledFifoHeads(options);
  return enqueued + restored + lost + heads;
}

/**
 * Enqueues the outbox (committed, never enqueued), oldest first, and marks what each shard took. A shard
 * that does not take its jobs (a cluster master down) keeps its deliveries for the next sweep and is not
 * asked again in this one, while the walk goes on to the other shards' rows; it ends at the end of the
 * outbox, or once no shard is left.
 */
async function enqueueOutbox(options: OutboxSweepOptions): Promise<number> {
  const { db, queues, logger, graceMs, redisCallMs = REDIS_CALL_MS } = options;
  const before = new Date(Date.now() - graceMs);
  const down = new Set<DeliveryQueueProducer>();
  let enqueued = 0;
  let notTaken = 0;
  let after: OutboxCursor | undefined;
  while (down.size < queues.shards.length) {
    const rows = await unenqueuedDeliveries(db, before, BATCH, after);
    const last = rows.at(-1);
    if (!last) break;
    const asking = rows.filter((row) => !down.has(shardFor(queues, row.webhookId)));
    const { failed, errors } = await enqueueDeliveries(queues, asking.map(toRef), { timeoutMs: redisCallMs });
    for (const delivery of failed) down.add(shardFor(queues, delivery.webhookId));
    const failedIds = new Set(failed.map((delivery) => delivery.deliveryId));
    const taken = asking.filter((row) => !failedIds.has(row.id)).map((row) => row.id);
    if (taken.length > 0) await markEnqueued(db, taken);
    enqueued += taken.length;
    notTaken += rows.length - taken.length;
    if (failed.length > 0) warnShardsFailed(logger, failed.length, errors, "the next sweep enqueues them");
    if (rows.length < BATCH) break;
    after = { createdAt: last.createdAt, id: last.id };
  }
  if (enqueued > 0) logger.info({ count: enqueued, left: notTaken }, "outbox sweep enqueued deliveries");
  return enqueued;
}

function warnShardsFailed(logger: Logger, count: number, errors: Error[], then: string): void {
  logger.warn(
    { deliveries: count, err: [...new Set(errors.map((error) => error.message))].join("; ") },
    `a queue shard did not take its jobs; ${then}`,
  );
}

/**
 * One step of the walk over overdue pending deliveries: re-enqueues those whose job is gone or finished.
 * The cursor moves on only once its page is handled, and the walk starts over every WALK_RESTART_SWEEPS
 * sweeps, so rows falling due faster than it walks cannot keep it from ever coming back to the oldest.
 */
async function requeueLostJobs(options: OutboxSweepOptions, walk: OverdueWalk): Promise<number> {
  const { db, queues, logger, redisCallMs = REDIS_CALL_MS } = options;
  if (walk.sweeps >= WALK_RESTART_SWEEPS) Object.assign(walk, { current: OVERDUE_CURSOR_START, sweeps: 0 });
  const { deliveries, next } = await overdueDeliveries(
    db,
    walk.current,
    new Date(Date.now() - OVERDUE_MS),
    OVERDUE_BATCH,
  );
  const lost: DeliveryRef[] = [];
  for (const [shard, rows] of groupByShard(queues, deliveries, (row) => row.webhookId)) {
    // A shard that does not answer is checked again when the walk comes back to its rows.
    await withTimeout(jobsGone(options, shard, rows), redisCallMs, "redis did not answer").then(
      (gone) => lost.push(...gone),
      (error: Error) =>
        warnShardsFailed(logger, rows.length, [error], "their jobs are checked on the next walk"),
    );
  }
  let requeued = 0;
  if (lost.length > 0) {
    const { failed, errors } = await enqueueDeliveries(queues, lost, { timeoutMs: redisCallMs });
    if (failed.length > 0)
      warnShardsFailed(logger, failed.length, errors, "they are found again on the next walk");
    requeued = lost.length - failed.length;
    logger.warn({ count: requeued }, "re-enqueued pending deliveries whose jobs were gone");
  }
  Object.assign(walk, { current: next, sweeps: next === OVERDUE_CURSOR_START ? 0 : walk.sweeps + 1 });
  return requeued;
}

/**
 * FIFO lines whose head is overdue and has no job: the deliveries behind a head wait without jobs and only
 * the head's end enqueues the next, so a dispatcher dying between recording a head and enqueueing the next
 * one would stall the line; this finds it within FIFO_HEAD_GRACE_MS plus a sweep. Every sweep: FIFO webhooks
 * are few, and a head is rarely without a job for more than the moment between its predecessor's end and
 * its enqueue (an extra add then is harmless: the job id is the delivery id).
 */
async function requeueStalledFifoHeads(options: OutboxSweepOptions): Promise<number> {
  const { db, queues, logger, redisCallMs = REDIS_CALL_MS } = options;
  const heads = await fifoHeadsDue(db, new Date(Date.now() - FIFO_HEAD_GRACE_MS));
  const stalled: DeliveryRef[] = [];
  for (const [shard, rows] of groupByShard(queues, heads, (row) => row.webhookId)) {
    await withTimeout(jobsGone(options, shard, rows), redisCallMs, "redis did not answer").then(
      (gone) => stalled.push(...gone),
      (error: Error) => warnShardsFailed(logger, rows.length, [error], "they are checked on the next sweep"),
    );
  }
  if (stalled.length === 0) return 0;
  const { failed, errors } = await enqueueDeliveries(queues, stalled, { timeoutMs: redisCallMs });
  if (failed.length > 0)
    warnShardsFailed(logger, failed.length, errors, "they are checked on the next sweep");
  logger.warn({ count: stalled.length - failed.length }, "re-enqueued FIFO heads whose jobs were gone");
  return stalled.length - failed.length;
}

/**
 * The deliveries among `rows` (all of one shard) whose job is gone or finished. A job's hash always has
 * `timestamp`; `finishedOn` once it completed or failed. All asked in one pipeline: the keys of one shard
 * share a hash tag, which a Redis Cluster requires of a pipeline.
 */
async function jobsGone(
  { redis }: OutboxSweepOptions,
  shard: ShardQueue,
  rows: QueuedDeliveryRow[],
): Promise<DeliveryRef[]> {
  const pipeline = redis.pipeline();
  for (const row of rows) pipeline.hmget(shard.toKey(row.id), "timestamp", "finishedOn");
  const answers = (await pipeline.exec()) ?? [];
  const gone: DeliveryRef[] = [];
  for (const [index, row] of rows.entries()) {
    const [error, fields] = answers[index] ?? [null, null];
    if (error) throw error;
    const [timestamp, finishedOn] = (fields as Array<string | null> | null) ?? [null, null];
    if (timestamp !== null && finishedOn === null) continue;
    // A finished job makes way for the new one; one taken again meanwhile (locked) is not lost.
    if (timestamp !== null && !(await shard.remove(row.id).then(Boolean, () => false))) continue;
    gone.push(toRef(row));
  }
  return gone;
}

function toRef(row: QueuedDeliveryRow): DeliveryRef {
  return { deliveryId: row.id, webhookId: row.webhookId };
}

/**
 * Redis lost its data (a flush, a restart without persistence, a failover to an empty replica) when a
 * shard's marker key is gone, or holds another layout (QUEUE_SHARDS changed: webhooks moved between
 * shards). Then every pending delivery of that shard goes back in the queue at its due time (its
 * `next_attempt_at`), in batches, and the marker is set again — only after the last batch, and only for a
 * shard that took every job, so a dispatcher dying midway or a shard still down leaves the work to the
 * next sweep. On a Redis Cluster each shard's marker lives with its queue, so a node that lost its data
 * costs only its own shards a restore. Detected within one sweep interval whatever the backlog; on a
 * healthy Redis it costs one GET per shard. Enqueue is idempotent (job id = delivery id), so several
 * dispatchers may restore at once. Returns how many deliveries it put back.
 */
async function restoreAfterDataLoss(options: OutboxSweepOptions): Promise<number> {
  const { db, queues, redis, logger, redisCallMs = REDIS_CALL_MS } = options;
  const layout = `shards=${queues.shards.length}`;
  const lost = new Set<ShardQueue>();
  for (const shard of queues.shards) {
    const marker = await withTimeout(redis.get(shard.toKey(QUEUE_MARKER)), redisCallMs).catch(() => layout);
    if (marker?.split(" ")[0] !== layout) lost.add(shard);
  }
  if (lost.size === 0) return 0;
  const failedShards = new Set<DeliveryQueueProducer>();
  let restored = 0;
  let after = "";
  for (;;) {
    const rows = await pendingDeliveriesAfter(db, after, RESTORE_BATCH);
    if (rows.length === 0) break;
    const now = Date.now();
    const due = new Map(rows.map((row) => [row.id, row.nextAttemptAt?.getTime() ?? now]));
    const restoring = rows.filter((row) => {
      const shard = shardFor(queues, row.webhookId);
      return lost.has(shard) && !failedShards.has(shard);
    });
    const { failed, errors } = await enqueueDeliveries(queues, restoring.map(toRef), {
      delayMs: (delivery) => Math.max(0, (due.get(delivery.deliveryId) ?? now) - now),
      timeoutMs: redisCallMs,
    });
    for (const delivery of failed) failedShards.add(shardFor(queues, delivery.webhookId));
    if (failed.length > 0)
      warnShardsFailed(logger, failed.length, errors, "its restore is retried next sweep");
    restored += restoring.length - failed.length;
    after = rows.at(-1)?.id ?? after;
    if (rows.length < RESTORE_BATCH || failedShards.size === lost.size) break;
  }
  for (const shard of lost) {
    if (failedShards.has(shard)) continue;
    // Not set: the shard is restored again next sweep (idempotent).
    await withTimeout(
      redis.set(shard.toKey(QUEUE_MARKER), `${layout} ${new Date().toISOString()}`),
      redisCallMs,
    ).catch(() => undefined);
  }
  if (restored > 0) {
    logger.warn(
      { count: restored },
      "a queue shard had lost its data or changed layout: its pending deliveries are back in the queue",
    );
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
