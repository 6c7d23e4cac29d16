import {
  type CommonConfig,
  ConfigError,
  commonConfig,
  commonEnvShape,
  DEFAULT_RETRY_SCHEDULE,
  duration,
  durationList,
  parseEnv,
  port,
  positiveInt,
} from "@hookrelay/shared";
import { z } from "zod";

// The dispatcher's whole configuration: the SPEC's environment table, parsed once.
export const dispatcherEnvSchema = z.object({
  ...commonEnvShape,
  DISPATCHER_PORT: port(3001),
  RETRY_SCHEDULE: durationList.prefault(DEFAULT_RETRY_SCHEDULE),
  RETRY_MAX_AGE: duration.prefault("14d"),
  DISPATCHER_CONCURRENCY: positiveInt(100),
  WEBHOOK_CONCURRENCY: positiveInt(20),
  AUTO_DISABLE_AFTER: duration.prefault("5d"),
  OUTBOX_SWEEP_INTERVAL: duration.prefault("5s"),
  STALLED_JOB_TIMEOUT: duration.prefault("30s"),
  // Days, fractions allowed (0.5 = 12 hours).
  RETENTION_DAYS: z.coerce.number().positive().max(36_500).default(30),
  RETENTION_INTERVAL: duration.prefault("1h"),
  CAPTURE_POLL_INTERVAL: duration.prefault("1s"),
  CAPTURE_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(500),
  SOURCE_BACKLOG_INTERVAL: duration.prefault("5s"),
});

export interface DispatcherConfig extends CommonConfig {
  port: number;
  /** Delays between attempts in ms; the last one repeats. */
  retrySchedule: number[];
  retryMaxAgeMs: number;
  concurrency: number;
  /** Requests to one webhook in flight at once from one dispatcher process (the rest wait, or park). */
  webhookConcurrency: number;
  /** A webhook whose attempts have all failed for this long is disabled (`auto_failing`). */
  autoDisableAfterMs: number;
  /** How often the outbox sweep looks for deliveries that never reached the queue. */
  outboxSweepIntervalMs: number;
  /** How soon a job whose dispatcher died is taken over by another (BullMQ lock + stalled check). */
  stalledJobTimeoutMs: number;
  /** Events (with their deliveries and attempts) older than this are deleted, once none is pending. */
  retentionMs: number;
  /** How often the retention job runs. */
  retentionIntervalMs: number;
  /** Database change sources: how often each is polled (it also wakes on NOTIFY), its lock retried. */
  capturePollIntervalMs: number;
  captureBatchSize: number;
  /** How often the capturing dispatcher records a source's backlog. */
  sourceBacklogIntervalMs: number;
}

export function loadDispatcherConfig(env: Record<string, string | undefined>): DispatcherConfig {
  const parsed = parseEnv(dispatcherEnvSchema, env);
  if (parsed.DISPATCHER_CONCURRENCY < parsed.QUEUE_SHARDS) {
    throw new ConfigError(
      `DISPATCHER_CONCURRENCY: must be at least QUEUE_SHARDS (${parsed.QUEUE_SHARDS}): each shard's worker needs a place`,
    );
  }
  return {
    ...commonConfig(parsed),
    port: parsed.DISPATCHER_PORT,
    retrySchedule: parsed.RETRY_SCHEDULE,
    retryMaxAgeMs: parsed.RETRY_MAX_AGE,
    concurrency: parsed.DISPATCHER_CONCURRENCY,
    webhookConcurrency: parsed.WEBHOOK_CONCURRENCY,
    autoDisableAfterMs: parsed.AUTO_DISABLE_AFTER,
    outboxSweepIntervalMs: parsed.OUTBOX_SWEEP_INTERVAL,
    stalledJobTimeoutMs: parsed.STALLED_JOB_TIMEOUT,
    retentionMs: parsed.RETENTION_DAYS * 24 * 3600 * 1000,
    retentionIntervalMs: parsed.RETENTION_INTERVAL,
    capturePollIntervalMs: parsed.CAPTURE_POLL_INTERVAL,
    captureBatchSize: parsed.CAPTURE_BATCH_SIZE,
    sourceBacklogIntervalMs: parsed.SOURCE_BACKLOG_INTERVAL,
  };
}
