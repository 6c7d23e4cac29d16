import { recordAttempt } from "@hookrelay/db";
import { serializeEnvelope } from "@hookrelay/ingest";
import { attemptRequest, newId, signingSecrets } from "@hookrelay/shared";
import type { ApiContext } from "../context.js";
import { findWebhook } from "./webhooks.js";

export const TEST_EVENT_TYPE = "webhook.test";

/**
 * Sends a `webhook.test` event to one webhook now, once, and answers with the outcome. It is stored like
 * any event (so it shows in the delivery log) but never queued: no retries, and enqueued_at is set so the
 * outbox sweep leaves it alone. Same signing, headers and SSRF rules as real deliveries.
 */
export async function sendTestEvent(ctx: ApiContext, projectId: string, webhookId: string) {
  const webhook = await findWebhook(ctx, projectId, webhookId);
  const at = new Date();
  const eventId = newId("event", at.getTime());
  const deliveryId = newId("delivery", at.getTime());
  const data = { webhook_id: webhook.id, message: "This is a test event from hookrelay." };
  const payload = serializeEnvelope(eventId, TEST_EVENT_TYPE, at, projectId, JSON.stringify(data));
  await ctx.db.$transaction([
    ctx.db.event.create({
      data: { id: eventId, projectId, eventType: TEST_EVENT_TYPE, data, payload, createdAt: at },
    }),
    ctx.db.delivery.create({
      data: {
        id: deliveryId,
        projectId,
        eventId,
        webhookId: webhook.id,
        eventType: TEST_EVENT_TYPE,
        createdAt: at,
        enqueuedAt: at,
      },
    }),
  ]);

  const response = await ctx.webhookClient.send(
    attemptRequest({
      url: webhook.url,
      body: payload,
      customHeaders: webhook.headers as Record<string, string>,
      secrets: signingSecrets(webhook, ctx.secretBox, at),
      eventId,
      eventType: TEST_EVENT_TYPE,
      deliveryId,
      attemptNumber: 1,
      at,
      timeoutMs: ctx.config.deliveryTimeoutMs,
    }),
  );
  const success = response.statusCode !== null && response.statusCode >= 200 && response.statusCode < 300;
  await recordAttempt(ctx.db, {
    deliveryId,
    webhookId: webhook.id,
    attemptNumber: 1,
    response,
    outcome: success ? { status: "succeeded" } : { status: "failed" },
    at,
    failingSince: webhook.failingSince,
  });
  return {
    delivery_id: deliveryId,
    success,
    status_code: response.statusCode,
    response_body: response.responseBody,
    latency_ms: response.latencyMs,
    error: response.error,
  };
}
