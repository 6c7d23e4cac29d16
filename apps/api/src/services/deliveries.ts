import type { Attempt, Delivery } from "@hookrelay/db";
import type { AttemptView, DeliveryListQuery, DeliveryView, ListQuery } from "@hookrelay/shared";
import type { ApiContext } from "../context.js";
import { notFound } from "../errors.js";
import { pageByKeyset } from "./pagination.js";
import { findWebhook } from "./webhooks.js";

export function presentDelivery(delivery: Delivery): DeliveryView {
  return {
    id: delivery.id,
    event_id: delivery.eventId,
    webhook_id: delivery.webhookId,
    event_type: delivery.eventType,
    status: delivery.status,
    attempt_count: delivery.attemptCount,
    next_attempt_at: delivery.nextAttemptAt?.toISOString() ?? null,
    last_status_code: delivery.lastStatusCode,
    replay_of: delivery.replayOfId,
    created_at: delivery.createdAt.toISOString(),
    completed_at: delivery.completedAt?.toISOString() ?? null,
  };
}

export function presentAttempt(attempt: Attempt): AttemptView {
  return {
    id: attempt.id,
    delivery_id: attempt.deliveryId,
    attempt_number: attempt.attemptNumber,
    status_code: attempt.statusCode,
    response_body: attempt.responseBody,
    response_headers: attempt.responseHeaders as AttemptView["response_headers"],
    latency_ms: attempt.latencyMs,
    error: attempt.error,
    created_at: attempt.createdAt.toISOString(),
  };
}

export async function listDeliveries(
  ctx: ApiContext,
  projectId: string,
  webhookId: string,
  query: DeliveryListQuery,
) {
  await findWebhook(ctx, projectId, webhookId);
  const filters = {
    webhookId,
    ...(query.status && { status: query.status }),
    ...(query.event_type && { eventType: query.event_type }),
  };
  return pageByKeyset(
    query,
    "desc",
    (args) => ctx.db.delivery.findMany({ ...args, where: { ...args.where, ...filters } }),
    presentDelivery,
    { kind: "delivery", since: query.since, until: query.until },
  );
}

async function findDelivery(ctx: ApiContext, projectId: string, webhookId: string, deliveryId: string) {
  const delivery = await ctx.db.delivery.findFirst({ where: { id: deliveryId, webhookId, projectId } });
  if (!delivery) throw notFound("delivery");
  return delivery;
}

/** One delivery with `payload`: the exact JSON text every attempt sends (its event's stored envelope). */
export async function getDelivery(ctx: ApiContext, projectId: string, webhookId: string, deliveryId: string) {
  const delivery = await ctx.db.delivery.findFirst({
    where: { id: deliveryId, webhookId, projectId },
    include: { event: { select: { payload: true } } },
  });
  if (!delivery) throw notFound("delivery");
  return { ...presentDelivery(delivery), payload: delivery.event.payload };
}

/** Attempts of one delivery, oldest first. */
export async function listAttempts(
  ctx: ApiContext,
  projectId: string,
  webhookId: string,
  deliveryId: string,
  query: ListQuery,
) {
  await findDelivery(ctx, projectId, webhookId, deliveryId);
  return pageByKeyset(
    query,
    "asc",
    (args) => ctx.db.attempt.findMany({ ...args, where: { ...args.where, deliveryId } }),
    presentAttempt,
  );
}
