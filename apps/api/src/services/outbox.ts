import { enqueueDeliveries } from "@hookrelay/shared";
import type { ApiContext } from "../context.js";

// Redis being down must not hold the answer: past this the deliveries go back to the outbox and a
// dispatcher's sweep enqueues them.
const ENQUEUE_TIMEOUT_MS = 1_000;

/**
 * Enqueues deliveries that were committed with `enqueued_at` already set (optimistically, so the hot path
 * writes each delivery row once). When enqueueing fails they are put back in the outbox (`enqueued_at`
 * null) for the sweep; if this process dies in between, the sweep's overdue check re-enqueues them.
 */
export async function enqueueOrLeaveInOutbox(
  ctx: ApiContext,
  deliveryIds: string[],
  delayMs = 0,
): Promise<boolean> {
  if (deliveryIds.length === 0) return true;
  try {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      enqueueDeliveries(ctx.deliveryQueue, deliveryIds, delayMs),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error("enqueue timed out")), ENQUEUE_TIMEOUT_MS);
      }),
    ]).finally(() => clearTimeout(timer));
    return true;
  } catch (error) {
    ctx.logger.warn(
      { err: (error as Error).message, deliveries: deliveryIds.length },
      "enqueue failed; the outbox sweep will enqueue these deliveries",
    );
    await ctx.db.delivery.updateMany({
      where: { id: { in: deliveryIds }, status: "pending" },
      data: { enqueuedAt: null },
    });
    return false;
  }
}
