import { type Database, returnToOutbox } from "@hookrelay/db";
import { type DeliveryQueueProducer, enqueueDeliveries, type Logger } from "@hookrelay/shared";

// Redis being down must not hold the answer: past this the deliveries go back to the outbox and a
// dispatcher's sweep enqueues them.
const ENQUEUE_TIMEOUT_MS = 1_000;

export interface OutboxHandOff {
  db: Database;
  deliveryQueue: DeliveryQueueProducer;
  logger: Logger;
}

/**
 * Enqueues deliveries that were committed with `enqueued_at` already set (optimistically, so the hot path
 * writes each delivery row once). When enqueueing fails they are put back in the outbox (`enqueued_at`
 * null) for the sweep; if this process dies in between, the sweep's overdue check re-enqueues them.
 */
export async function enqueueOrLeaveInOutbox(
  { db, deliveryQueue, logger }: OutboxHandOff,
  deliveryIds: string[],
  delayMs = 0,
): Promise<boolean> {
  if (deliveryIds.length === 0) return true;
  try {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      enqueueDeliveries(deliveryQueue, deliveryIds, delayMs),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error("enqueue timed out")), ENQUEUE_TIMEOUT_MS);
      }),
    ]).finally(() => clearTimeout(timer));
    return true;
  } catch (error) {
    logger.warn(
      { err: (error as Error).message, deliveries: deliveryIds.length },
      "enqueue failed; the outbox sweep will enqueue these deliveries",
    );
    await returnToOutbox(db, deliveryIds);
    return false;
  }
}
