import { enqueueDeliveries } from "@hookrelay/shared";
import type { ApiContext } from "../context.js";

// Redis being down must not hold the answer: past this the deliveries stay in the outbox (enqueued_at null)
// and a dispatcher's sweep enqueues them.
const ENQUEUE_TIMEOUT_MS = 1_000;

/** Enqueues committed deliveries and marks them enqueued; on failure leaves them to the outbox sweep. */
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
    await ctx.db.delivery.updateMany({
      where: { id: { in: deliveryIds } },
      data: { enqueuedAt: new Date() },
    });
    return true;
  } catch (error) {
    ctx.logger.warn(
      { err: (error as Error).message, deliveries: deliveryIds.length },
      "enqueue failed; the outbox sweep will enqueue these deliveries",
    );
    return false;
  }
}
