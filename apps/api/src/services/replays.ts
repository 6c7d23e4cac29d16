import { type Delivery, lockWebhookRecovery } from "@hookrelay/db";
import { enqueueOrLeaveInOutbox } from "@hookrelay/ingest";
import { newId, type RecoverInput } from "@hookrelay/shared";
import type { ApiContext } from "../context.js";
import { conflict, notFound } from "../errors.js";
import { findWebhook } from "./webhooks.js";

const RECOVER_BATCH = 500;

async function findEnabledWebhook(ctx: ApiContext, projectId: string, webhookId: string) {
  const webhook = await findWebhook(ctx, projectId, webhookId);
  if (!webhook.enabled) throw conflict("the webhook is disabled; enable it before replaying");
  return webhook;
}

/** New pending deliveries of the same events (identical stored bytes, same webhook-id), linked by replay_of. */
function replaysOf(originals: Pick<Delivery, "id" | "projectId" | "eventId" | "webhookId" | "eventType">[]) {
  const createdAt = new Date();
  return originals.map((original) => ({
    id: newId("delivery", createdAt.getTime()),
    projectId: original.projectId,
    eventId: original.eventId,
    webhookId: original.webhookId,
    eventType: original.eventType,
    replayOfId: original.id,
    createdAt,
    enqueuedAt: createdAt,
  }));
}

/** Replays one delivery as a new one; the original is untouched. */
export async function replayDelivery(
  ctx: ApiContext,
  projectId: string,
  webhookId: string,
  deliveryId: string,
) {
  await findEnabledWebhook(ctx, projectId, webhookId);
  const original = await ctx.db.delivery.findFirst({ where: { id: deliveryId, webhookId, projectId } });
  if (!original) throw notFound("delivery");
  const [replay] = replaysOf([original]);
  if (!replay) throw notFound("delivery");
  await ctx.db.delivery.create({ data: replay });
  await enqueueOrLeaveInOutbox(ctx, [{ deliveryId: replay.id, webhookId }]);
  return { delivery_id: replay.id };
}

/**
 * Replays every failed delivery of the webhook created in [since, until], one per event: events that
 * already have a pending or succeeded delivery to this webhook (including replays made earlier in this
 * run) are skipped. Works through the window in batches by id, never loading it whole. Each batch checks
 * and inserts under a per-webhook transaction lock, so concurrent recovers (a retried request, two
 * operators) replay no event twice: the later one sees the earlier one's replays as pending and skips them.
 */
export async function recoverWebhook(
  ctx: ApiContext,
  projectId: string,
  webhookId: string,
  window: RecoverInput,
) {
  await findEnabledWebhook(ctx, projectId, webhookId);
  const until = window.until ?? new Date();
  let cursor: string | undefined;
  let count = 0;
  for (;;) {
    const failed = await ctx.db.delivery.findMany({
      where: {
        webhookId,
        status: "failed",
        createdAt: { gte: window.since, lte: until },
        ...(cursor && { id: { gt: cursor } }),
      },
      orderBy: { id: "asc" },
      take: RECOVER_BATCH,
    });
    if (failed.length === 0) break;
    cursor = failed.at(-1)?.id;

    const eventIds = [...new Set(failed.map((delivery) => delivery.eventId))];
    const replays = await ctx.db.$transaction(async (tx) => {
      await lockWebhookRecovery(tx, webhookId);
      const settled = await tx.delivery.findMany({
        where: { webhookId, eventId: { in: eventIds }, status: { in: ["pending", "succeeded"] } },
        select: { eventId: true },
      });
      const skip = new Set(settled.map((delivery) => delivery.eventId));
      const latestPerEvent = new Map<string, Delivery>();
      for (const delivery of failed)
        if (!skip.has(delivery.eventId)) latestPerEvent.set(delivery.eventId, delivery);
      const made = replaysOf([...latestPerEvent.values()]);
      if (made.length > 0) await tx.delivery.createMany({ data: made });
      return made;
    });
    if (replays.length > 0) {
      await enqueueOrLeaveInOutbox(
        ctx,
        replays.map((replay) => ({ deliveryId: replay.id, webhookId })),
      );
      count += replays.length;
    }
    if (failed.length < RECOVER_BATCH) break;
  }
  return { count };
}
