import type { JobsOptions } from "bullmq";
import { z } from "zod";

// The one contract between api and dispatcher: queue names and job payloads. Jobs carry ids only, never
// payloads or secrets; the dispatcher loads the rest from PostgreSQL and validates what it dequeues.
export const DELIVERY_QUEUE = "deliveries";
export const DELIVER_JOB = "deliver";
/** Scheduled housekeeping (retention), run by whichever dispatcher takes the job. */
export const MAINTENANCE_QUEUE = "maintenance";
/** Every BullMQ queue of the service (Bull Board and the metrics list these). */
export const SERVICE_QUEUES = [DELIVERY_QUEUE, MAINTENANCE_QUEUE] as const;

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

export interface DeliveryQueueProducer {
  addBulk(jobs: Array<{ name: string; data: DeliverJob; opts: JobsOptions }>): Promise<unknown>;
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

/** Enqueues one job per delivery. Idempotent: the job id is the delivery id, so a repeat is a no-op. */
export async function enqueueDeliveries(
  queue: DeliveryQueueProducer,
  deliveryIds: readonly string[],
  delayMs = 0,
): Promise<void> {
  if (deliveryIds.length === 0) return;
  await queue.addBulk(
    deliveryIds.map((deliveryId) => ({
      name: DELIVER_JOB,
      data: { deliveryId },
      opts: deliverJobOptions(deliveryId, delayMs),
    })),
  );
}
