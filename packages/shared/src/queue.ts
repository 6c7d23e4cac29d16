import { type JobsOptions, Queue } from "bullmq";
import { z } from "zod";
import { deliveryQueueAddresses, type QueueTopology, shardOf } from "./queue-topology.js";
import type { RedisClient } from "./redis.js";
import { withTimeout } from "./time-limit.js";

// The one contract between api and dispatcher: queue names and job payloads. Jobs carry ids only, never
// payloads or secrets; the dispatcher loads the rest from PostgreSQL and validates what it dequeues.
export const DELIVER_JOB = "deliver";

export const deliverJobSchema = z.object({
  deliveryId: z.string().min(1).max(64),
  /** Set by the dispatcher's per-endpoint rate limiter: the slot reserved for try number `slotForAttempt`. */
  slotAt: z.number().optional(),
  slotForAttempt: z.number().int().optional(),
  /** How many slots this try has reserved (it reserves again when it came back too late for its slot). */
  slotTries: z.number().int().optional(),
  /** Set when the delivery was parked because its webhook had no free place (the webhook's id). */
  webhookId: z.string().max(64).optional(),
});
export type DeliverJob = z.infer<typeof deliverJobSchema>;

/** Custom backoff type name: the dispatcher's backoffStrategy computes each delay from RETRY_SCHEDULE. */
export const RETRY_BACKOFF_TYPE = "retry-schedule";

// BullMQ's own attempt limit stays out of the way: the dispatcher ends a delivery itself once the next
// try would fall past RETRY_MAX_AGE (UnrecoverableError), so the api needs no retry settings.
const UNBOUNDED_ATTEMPTS = 1_000_000;

/** One delivery queue, as far as enqueueing goes. */
export interface DeliveryQueueProducer {
  addBulk(jobs: Array<{ name: string; data: DeliverJob; opts: JobsOptions }>): Promise<unknown>;
}

/** The delivery queues, one per shard (QUEUE_SHARDS); a webhook's deliveries all go to one of them. */
export interface DeliveryQueues<Shard extends DeliveryQueueProducer = DeliveryQueueProducer> {
  readonly shards: readonly Shard[];
}

/** A delivery as the queues need it: its id (the job id) and its webhook (which picks the shard). */
export interface DeliveryRef {
  deliveryId: string;
  webhookId: string;
}

export function shardFor<Shard extends DeliveryQueueProducer>(
  queues: DeliveryQueues<Shard>,
  webhookId: string,
): Shard {
  const shard = queues.shards[shardOf(webhookId, queues.shards.length)];
  if (!shard) throw new Error("there are no delivery queues");
  return shard;
}

/** `items` grouped by the delivery shard of their webhook (`webhookOf`), in their order within each. */
export function groupByShard<Shard extends DeliveryQueueProducer, Item>(
  queues: DeliveryQueues<Shard>,
  items: readonly Item[],
  webhookOf: (item: Item) => string,
): Map<Shard, Item[]> {
  const groups = new Map<Shard, Item[]>();
  for (const item of items) {
    const shard = shardFor(queues, webhookOf(item));
    const group = groups.get(shard);
    if (group) group.push(item);
    else groups.set(shard, [item]);
  }
  return groups;
}

/**
 * BullMQ handles on every delivery shard, on one connection (a Cluster connection serves them all). Their
 * errors (Redis down) go to `onError`: readiness reports the outage, the queues must not crash the process.
 */
export function openDeliveryQueues(
  connection: RedisClient,
  topology: QueueTopology,
  onError: (error: Error) => void,
): DeliveryQueues<Queue> {
  return {
    shards: deliveryQueueAddresses(topology).map(({ name, prefix }) =>
      new Queue(name, { connection, prefix }).on("error", onError),
    ),
  };
}

export function deliverJobOptions(deliveryId: string, delayMs = 0): JobsOptions {
  return {
    jobId: deliveryId,
    delay: delayMs,
    attempts: UNBOUNDED_ATTEMPTS,
    backoff: { type: RETRY_BACKOFF_TYPE },
    removeOnComplete: true,
    removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
  };
}

export interface EnqueueOptions {
  /** One delay for all, or each delivery's own. */
  delayMs?: number | ((delivery: DeliveryRef) => number);
  /** Give up on a shard that has not taken its jobs after this long (its deliveries count as not enqueued). */
  timeoutMs?: number;
}

/** What a shard did not take: its deliveries, and why. */
export interface EnqueueOutcome {
  failed: DeliveryRef[];
  errors: Error[];
}

/**
 * Enqueues one job per delivery on its webhook's shard (one addBulk per shard, all at once). Idempotent:
 * the job id is the delivery id, so a repeat is a no-op. Shards succeed or fail on their own — a Redis
 * Cluster master that is down costs only its own shards — and the answer names the deliveries that were
 * not (known to be) enqueued: the caller leaves those in the outbox.
 */
export async function enqueueDeliveries(
  queues: DeliveryQueues,
  deliveries: readonly DeliveryRef[],
  { delayMs = 0, timeoutMs }: EnqueueOptions = {},
): Promise<EnqueueOutcome> {
  const batches = [...groupByShard(queues, deliveries, (delivery) => delivery.webhookId)];
  const results = await Promise.allSettled(
    batches.map(([shard, batch]) => {
      const adding = shard.addBulk(
        batch.map((delivery) => ({
          name: DELIVER_JOB,
          data: { deliveryId: delivery.deliveryId },
          opts: deliverJobOptions(
            delivery.deliveryId,
            typeof delayMs === "number" ? delayMs : delayMs(delivery),
          ),
        })),
      );
      return timeoutMs === undefined ? adding : withTimeout(adding, timeoutMs, "enqueue timed out");
    }),
  );
  const outcome: EnqueueOutcome = { failed: [], errors: [] };
  results.forEach((result, index) => {
    if (result.status === "fulfilled") return;
    outcome.failed.push(...(batches[index]?.[1] ?? []));
    outcome.errors.push(result.reason instanceof Error ? result.reason : new Error(String(result.reason)));
  });
  return outcome;
}
