import { recordAttempt } from "@hookrelay/db";
import { serializeEnvelope, TEST_EVENT_TYPE } from "@hookrelay/ingest";
import {
  attemptRequest,
  newId,
  signatureStyle,
  signingSecrets,
  type TestSendResult,
} from "@hookrelay/shared";
import type { ApiContext } from "../context.js";
import { findWebhook } from "./webhooks.js";

export { TEST_EVENT_TYPE };

const DATABASE_EVENT_PREFIX = "db.";

/**
 * What a test event carries. A webhook that listens only to database changes (`db.public.orders.*`) gets
 * the change shape its receiver parses, with `"event": "TEST"`, the schema and table named by its first
 * filter (null where that filter is a wildcard) and no rows.
 */
export function testEventData(webhook: { id: string; eventTypes: string[] }, at: Date) {
  const [first, ...rest] = webhook.eventTypes;
  if (first === undefined || ![first, ...rest].every((type) => type.startsWith(DATABASE_EVENT_PREFIX))) {
    return { webhook_id: webhook.id, message: "This is a test event from hookrelay." };
  }
  const [, schema, table] = first.split(".");
  const named = (part: string | undefined) => (part === undefined || part === "*" ? null : part);
  return {
    event: "TEST",
    schema: named(schema),
    table: named(table),
    row: null,
    old_row: null,
    timestamp: at.toISOString(),
  };
}

/**
 * Sends a `webhook.test` event to one webhook now, once, and answers with the outcome. It is stored like
 * any event (so it shows in the delivery log) but never queued: no retries, and enqueued_at is set so the
 * outbox sweep leaves it alone. Same signing, headers and SSRF rules as real deliveries.
 */
export async function sendTestEvent(
  ctx: ApiContext,
  projectId: string,
  webhookId: string,
): Promise<TestSendResult> {
  const webhook = await findWebhook(ctx, projectId, webhookId);
  const at = new Date();
  const eventId = newId("event", at.getTime());
  const deliveryId = newId("delivery", at.getTime());
  const data = testEventData(webhook, at);
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
        // Sent once, by this request: recorded as failed until its attempt says otherwise, so no sweep
        // ever takes it for a lost pending delivery and sends it again (if this process dies mid-send, it
        // stays failed, with no attempt).
        status: "failed",
      },
    }),
  ]);

  const response = await ctx.webhookClient.send(
    attemptRequest({
      url: webhook.url,
      body: payload,
      customHeaders: webhook.headers as Record<string, string>,
      secrets: signingSecrets(webhook, ctx.secretBox, at),
      signature: signatureStyle(webhook),
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
