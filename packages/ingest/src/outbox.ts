import { type Database, markEnqueued, type NewEvent, returnToOutbox } from "@hookrelay/db";
import { type DeliveryQueues, type DeliveryRef, enqueueDeliveries, type Logger } from "@hookrelay/shared";

// Redis being down must not hold the answer: past this the deliveries go back to the outbox and a
// dispatcher's sweep enqueues them.
const ENQUEUE_TIMEOUT_MS = 1_000;

export interface OutboxHandOff {
  db: Database;
  deliveryQueues: DeliveryQueues;
  logger: Logger;
}

/** The deliveries of the events that were stored (`inserted`: their ids), in the events' order. */
export function deliveriesOf(events: readonly NewEvent[], inserted: ReadonlySet<string>): DeliveryRef[] {
  return events
    .filter((event) => inserted.has(event.id))
    .flatMap((event) =>
      event.deliveries.map((delivery) => ({ deliveryId: delivery.id, webhookId: delivery.webhookId })),
    );
}

/**
 * Enqueues deliveries that were committed with `enqueued_at` already set (optimistically, so the hot path
 * writes each delivery row once). When enqueueing fails they are put back in the outbox (`enqueued_at`
 * null) for the sweep; if this process dies in between, the sweep's overdue check re-enqueues them.
 */
export async function enqueueOrLeaveInOutbox(
  handOff: OutboxHandOff,
  deliveries: DeliveryRef[],
  delayMs = 0,
): Promise<boolean> {
  if (deliveries.length === 0) return true;
  const failed = await enqueueWithin(handOff, deliveries, delayMs);
  if (failed.length === 0) return true;
  await returnToOutbox(handOff.db, idsOf(failed));
  return false;
}

/**
 * Enqueues deliveries committed in the outbox (`enqueued_at` null), then marks them enqueued. If this
 * process dies anywhere in between, the outbox sweep enqueues them within OUTBOX_SWEEP_INTERVAL (enqueue is
 * idempotent: the job id is the delivery id). For the capture, where a crash after the commit cannot be
 * seen by whoever captures next (the events already exist).
 */
export async function enqueueFromOutbox(handOff: OutboxHandOff, deliveries: DeliveryRef[]): Promise<boolean> {
  if (deliveries.length === 0) return true;
  const failed = new Set(idsOf(await enqueueWithin(handOff, deliveries, 0)));
  const enqueued = idsOf(deliveries).filter((id) => !failed.has(id));
  if (enqueued.length > 0) await markEnqueued(handOff.db, enqueued);
  return failed.size === 0;
}

function idsOf(deliveries: readonly DeliveryRef[]): string[] {
  return deliveries.map((delivery) => delivery.deliveryId);
}

/** Enqueues on each shard within ENQUEUE_TIMEOUT_MS; answers the deliveries a shard did not take. */
async function enqueueWithin(
  { deliveryQueues, logger }: OutboxHandOff,
  deliveries: DeliveryRef[],
  delayMs: number,
): Promise<DeliveryRef[]> {
  const { failed, errors } = await enqueueDeliveries(deliveryQueues, deliveries, {
    delayMs,
    timeoutMs: ENQUEUE_TIMEOUT_MS,
  });
  if (failed.length > 0) {
    logger.warn(
      { err: errors.map((error) => error.message).join("; "), deliveries: failed.length },
      "enqueue failed; the outbox sweep will enqueue these deliveries",
    );
  }
  return failed;
}
