import {
  type Database,
  ensurePartitions,
  type RetentionOptions,
  type RetentionRun,
  runRetention,
} from "@hookrelay/db";
import { type Logger, MAINTENANCE_QUEUE } from "@hookrelay/shared";
import { type ConnectionOptions, Queue, Worker } from "bullmq";

export const RETENTION_JOB = "retention";

export interface RetentionScheduleOptions extends RetentionOptions {
  db: Database;
  logger: Logger;
  /** A Redis connection fit for a BullMQ worker (maxRetriesPerRequest: null). */
  connection: ConnectionOptions;
  prefix: string;
  /** Rows older than this are deleted. */
  retentionMs: number;
  /** How often the job runs. */
  intervalMs: number;
  /** How often this process checks that the schedule is still in Redis (it is gone if Redis lost its data). */
  scheduleCheckMs?: number;
}

const SCHEDULE_CHECK_MS = 60_000;

/** What a run did, at info; what went wrong, each on its own line, so an operator's alert can match it. */
export function logRetentionRun(logger: Logger, run: RetentionRun): void {
  logger.info(
    {
      created: run.created,
      dropped: run.periods.filter((period) => period.dropped).map((period) => period.suffix),
      kept: run.periods.filter((period) => !period.dropped),
      ...run.deleted,
      keys: run.keys,
    },
    "retention: partitions created ahead, expired ones dropped, old rows deleted",
  );
  if (run.misplaced.length > 0) {
    logger.error(
      { misplaced: run.misplaced },
      `rows in default partitions block their period's partitions (${run.misplaced
        .map(({ partition, rows }) => `${partition}: ${rows} rows`)
        .join(", ")}): that whole period is written to the default partition`,
    );
  }
  for (const { step, error } of run.failures)
    logger.warn({ step, err: error }, `retention: ${step} failed, tried again next run`);
}

/**
 * Retention as a BullMQ repeatable job on the maintenance queue: every dispatcher registers the same
 * schedule (idempotently) and runs a worker for it, and each tick's job is taken by exactly one of them,
 * however many dispatchers there are. Returns a function that stops this process's part.
 */
export function scheduleRetention(options: RetentionScheduleOptions): () => Promise<void> {
  const { db, logger, connection, prefix, retentionMs, intervalMs } = options;
  const queue = new Queue(MAINTENANCE_QUEUE, { connection, prefix });
  queue.on("error", (error) => logger.debug({ err: error.message }, "maintenance queue error"));
  const schedule = () =>
    queue.upsertJobScheduler(
      RETENTION_JOB,
      { every: intervalMs },
      { name: RETENTION_JOB, opts: { removeOnComplete: 100, removeOnFail: 100 } },
    );
  // Not awaited: with Redis down at start this waits (in the connection's offline queue) until it is back.
  schedule().catch((error) => logger.warn({ err: (error as Error).message }, "could not schedule retention"));
  // The schedule lives in Redis: if Redis loses its data (a flush, a failover to an empty replica), it is
  // put back within a check, so retention never stops for good.
  let checking = Promise.resolve();
  const check = setInterval(() => {
    checking = checking
      .then(async () => {
        if (await queue.getJobScheduler(RETENTION_JOB)) return;
        await schedule();
        logger.warn("retention schedule was missing from Redis (did it lose its data?): scheduled again");
      })
      .catch((error) => logger.debug({ err: (error as Error).message }, "retention schedule check failed"));
  }, options.scheduleCheckMs ?? SCHEDULE_CHECK_MS);
  const worker = new Worker(
    MAINTENANCE_QUEUE,
    async (job) => {
      if (job.name !== RETENTION_JOB) return null;
      const { batchSize, maxBatches } = options;
      const run = await runRetention(db, { retentionMs, batchSize, maxBatches });
      logRetentionRun(logger, run);
      return run;
    },
    { connection, prefix, concurrency: 1 },
  );
  worker.on("error", (error) => logger.debug({ err: error.message }, "maintenance worker error"));
  // The coming periods' partitions at start too, not only at the first tick (an interval away): rows
  // written before their period's partitions exist land in the default partition and block it.
  const starting = ensurePartitions(db)
    .then((created) => {
      if (created.length > 0) logger.info({ created }, "partitions created ahead at start");
    })
    .catch((error) =>
      logger.warn({ err: (error as Error).message }, "could not create partitions at start: next run will"),
    );
  worker.on("failed", (_job, error) => logger.warn({ err: error.message }, "retention run failed"));
  return async () => {
    clearInterval(check);
    await checking;
    await starting;
    await worker.close();
    await queue.close();
  };
}
