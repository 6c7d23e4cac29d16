import { DELIVER_JOB, deliveryQueueAddresses, type QueueAddress, type RedisClient } from "@hookrelay/shared";
import { Job, Worker } from "bullmq";
import { WebhookInFlightCap } from "./in-flight-cap.js";
import { backoffStrategy, createDeliveryProcessor, type DispatcherContext, RetryLater } from "./worker.js";

/**
 * Starts one BullMQ worker per delivery shard (QUEUE_SHARDS). DISPATCHER_CONCURRENCY is shared out among
 * them (the first `concurrency mod shards` get one more), so the process never runs more deliveries at
 * once than it says; webhooks are spread over the shards by a hash of their id, so with many webhooks each
 * shard carries about the same load (a shard cannot borrow another's idle places).
 */
export function startDeliveryWorkers(ctx: DispatcherContext, connection: RedisClient): Worker[] {
  const shards = deliveryQueueAddresses(ctx.config.queueTopology);
  return shards.map((shard, index) =>
    startShardWorker(ctx, connection, shard, shareOf(ctx.config.concurrency, shards.length, index)),
  );
}

/** Share `index` of `total` split into `parts` as evenly as whole numbers allow (config ensures total ≥ parts). */
export function shareOf(total: number, parts: number, index: number): number {
  return Math.floor(total / parts) + (index < total % parts ? 1 : 0);
}

function startShardWorker(
  ctx: DispatcherContext,
  connection: RedisClient,
  shard: QueueAddress,
  concurrency: number,
): Worker {
  // A parked delivery is woken only while it is still delayed until the time it was parked for: an id
  // left in the line may since have run elsewhere and be waiting for a retry or a rate slot, which must
  // not be cut short. BullMQ scores a delayed job `until × 0x1000 + n`. A Job handle needs no fetch.
  const promote = async (jobId: string, parkedUntil: number): Promise<boolean> => {
    const score = await connection.zscore(worker.keys.delayed ?? "", jobId);
    if (score === null || Math.floor(Number(score) / 0x1000) !== parkedUntil) return false;
    await new Job(worker, DELIVER_JOB, {}, {}, jobId).promote();
    return true;
  };
  const inFlight = new WebhookInFlightCap(ctx.config.webhookConcurrency, promote, (error) =>
    ctx.logger.warn({ err: (error as Error).message }, "could not wake a parked delivery"),
  );
  const worker: Worker = new Worker(shard.name, createDeliveryProcessor(ctx, inFlight), {
    connection,
    prefix: shard.prefix,
    concurrency,
    settings: { backoffStrategy: backoffStrategy(ctx.config) },
    // A dispatcher that dies (SIGKILL, OOM, lost host) stops renewing its job locks; after this long
    // another dispatcher's stalled-job check takes the jobs over.
    lockDuration: ctx.config.stalledJobTimeoutMs,
    stalledInterval: ctx.config.stalledJobTimeoutMs,
    // Allow that many times before BullMQ would fail the job, so a crash loop cannot strand a delivery.
    maxStalledCount: 10,
  });
  // Stopping: the deliveries this dispatcher parked would otherwise wait for their own sleep.
  worker.on("closing", () => void inFlight.wakeAll());
  worker.on("error", (error) => ctx.logger.warn({ err: error.message, queue: shard.label }, "worker error"));
  worker.on("failed", (job, error) => {
    if (error instanceof RetryLater || error.name === "UnrecoverableError") return;
    ctx.logger.warn({ deliveryId: job?.id, err: error.message }, "delivery job failed");
  });
  return worker;
}
