import type { Recovery } from "@hookrelay/db";
import { countRecoverable, enqueueOrLeaveInOutbox, newDelivery } from "@hookrelay/ingest";
import { type ListQuery, newId, type RecoverInput, type RecoveryView } from "@hookrelay/shared";
import type { ApiContext } from "../context.js";
import { conflict, notFound } from "../errors.js";
import { pageByKeyset } from "./pagination.js";
import { findWebhook } from "./webhooks.js";

async function findEnabledWebhook(ctx: ApiContext, projectId: string, webhookId: string) {
  const webhook = await findWebhook(ctx, projectId, webhookId);
  if (!webhook.enabled) throw conflict("the webhook is disabled; enable it before replaying");
  return webhook;
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
  const replay = newDelivery(original, webhookId, { replayOf: original.id, enqueued: true });
  await ctx.db.delivery.create({ data: replay });
  await enqueueOrLeaveInOutbox(ctx, [{ deliveryId: replay.id, webhookId }]);
  return { delivery_id: replay.id };
}

/** A recovery as the API shows it. */
export function presentRecovery(recovery: Recovery): RecoveryView {
  return {
    id: recovery.id,
    webhook_id: recovery.webhookId,
    state: recovery.state as RecoveryView["state"],
    include_missed: recovery.includeMissed,
    since: recovery.since.toISOString(),
    until: recovery.until.toISOString(),
    total: recovery.total,
    done: recovery.done,
    created_at: recovery.createdAt.toISOString(),
    finished_at: recovery.finishedAt?.toISOString() ?? null,
  };
}

/**
 * Starts a recovery of the window: answers how many deliveries it will make (failed events replayed, one
 * per event, plus with include_missed the events the webhook takes now that never got a delivery to it)
 * and the recovery, which dispatchers then work through in bounded batches (advanceRecovery). Calling it
 * twice, or concurrently, delivers no event twice: each batch skips events that got a delivery meanwhile.
 */
export async function recoverWebhook(
  ctx: ApiContext,
  projectId: string,
  webhookId: string,
  input: RecoverInput,
) {
  const webhook = await findEnabledWebhook(ctx, projectId, webhookId);
  // A window reaching into the future ends now: events after this point are not missed yet.
  const now = new Date();
  const window = { since: input.since, until: input.until && input.until < now ? input.until : now };
  const target = { id: webhook.id, projectId, eventTypes: webhook.eventTypes, filter: webhook.filter };
  const total = await countRecoverable(ctx.db, target, window, input.include_missed);
  const recovery = await ctx.db.recovery.create({
    data: {
      id: newId("recovery"),
      projectId,
      webhookId,
      ...window,
      includeMissed: input.include_missed,
      total,
    },
  });
  return { count: total, recovery: presentRecovery(recovery) };
}

export async function listRecoveries(
  ctx: ApiContext,
  projectId: string,
  webhookId: string,
  query: ListQuery,
) {
  await findWebhook(ctx, projectId, webhookId);
  return pageByKeyset(
    query,
    "desc",
    (args) => ctx.db.recovery.findMany({ ...args, where: { ...args.where, webhookId } }),
    presentRecovery,
  );
}

export async function getRecovery(ctx: ApiContext, projectId: string, webhookId: string, recoveryId: string) {
  const recovery = await ctx.db.recovery.findFirst({ where: { id: recoveryId, webhookId, projectId } });
  if (!recovery) throw notFound("recovery");
  return presentRecovery(recovery);
}
