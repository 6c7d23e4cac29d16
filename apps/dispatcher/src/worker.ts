import type { Database, Webhook } from "@hookrelay/db";
import {
  deliverJobSchema,
  type Logger,
  RETRY_BACKOFF_TYPE,
  type SecretBox,
  signatureHeaders,
  USER_AGENT,
} from "@hookrelay/shared";
import { type Job, UnrecoverableError } from "bullmq";
import type { DispatcherConfig } from "./config.js";
import type { WebhookHttpClient, WebhookResponse } from "./http-client.js";
import { failDelivery, type Outcome, recordAttempt } from "./record.js";
import { retriesExhausted, retryDelay } from "./schedule.js";

export interface DispatcherContext {
  config: DispatcherConfig;
  db: Database;
  http: WebhookHttpClient;
  secretBox: SecretBox;
  logger: Logger;
}

/** Thrown to make BullMQ retry; carries the delay the worker chose (and recorded as next_attempt_at). */
export class RetryLater extends Error {
  constructor(readonly delayMs: number) {
    super(`retry in ${delayMs} ms`);
    this.name = "RetryLater";
  }
}

/**
 * BullMQ custom backoff: the delay the processor chose. Errors that did not come from an attempt (database
 * down, a crash) fall back to the schedule.
 */
export function backoffStrategy(config: DispatcherConfig) {
  return (attemptsMade: number, type?: string, error?: Error): number => {
    if (error instanceof RetryLater) return error.delayMs;
    if (type !== RETRY_BACKOFF_TYPE) return 1_000;
    return retryDelay(config.retrySchedule, attemptsMade);
  };
}

/** The current secret, then the previous one while its rotation window lasts. */
export function signingSecrets(webhook: Webhook, secretBox: SecretBox, now: Date): [string, ...string[]] {
  const secrets: [string, ...string[]] = [secretBox.decrypt(webhook.secretCiphertext)];
  if (
    webhook.previousSecretCiphertext &&
    webhook.previousSecretExpiresAt &&
    webhook.previousSecretExpiresAt > now
  ) {
    secrets.push(secretBox.decrypt(webhook.previousSecretCiphertext));
  }
  return secrets;
}

function isSuccess(response: WebhookResponse): boolean {
  return response.statusCode !== null && response.statusCode >= 200 && response.statusCode < 300;
}

/** The BullMQ processor: one delivery attempt per job run. */
export function createDeliveryProcessor(ctx: DispatcherContext) {
  const { config, db } = ctx;
  return async (job: Job): Promise<string> => {
    const { deliveryId } = deliverJobSchema.parse(job.data);
    const delivery = await db.delivery.findUnique({
      where: { id: deliveryId },
      include: { event: { select: { payload: true } }, webhook: true },
    });
    // Deleted with its webhook, or already finished by an earlier run of this job: nothing to do.
    if (delivery?.status !== "pending") return "skipped";
    const { webhook } = delivery;
    if (!webhook.enabled) {
      await failDelivery(db, deliveryId, new Date());
      return "webhook_disabled";
    }

    const attemptNumber = delivery.attemptCount + 1;
    const startedAt = new Date();
    const body = delivery.event.payload;
    const customHeaders = (webhook.headers ?? {}) as Record<string, string>;
    const response = await ctx.http.send({
      url: webhook.url,
      body,
      timeoutMs: config.deliveryTimeoutMs,
      headers: {
        ...customHeaders,
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        ...signatureHeaders(
          signingSecrets(webhook, ctx.secretBox, startedAt),
          delivery.eventId,
          Math.floor(startedAt.getTime() / 1000),
          body,
        ),
        "x-webhook-event": delivery.eventType,
        "x-webhook-delivery": delivery.id,
        "x-webhook-attempt": String(attemptNumber),
      },
    });

    let outcome: Outcome;
    let delayMs = 0;
    if (isSuccess(response)) {
      outcome = { status: "succeeded" };
    } else {
      delayMs = retryDelay(config.retrySchedule, attemptNumber);
      const nextAttemptAt = new Date(Date.now() + delayMs);
      outcome = retriesExhausted(delivery.createdAt, nextAttemptAt, config.retryMaxAgeMs)
        ? { status: "failed" }
        : { status: "retry", nextAttemptAt };
    }
    await recordAttempt(db, {
      deliveryId,
      webhookId: webhook.id,
      attemptNumber,
      response,
      outcome,
      at: startedAt,
    });

    if (outcome.status === "retry") throw new RetryLater(delayMs);
    if (outcome.status === "failed") throw new UnrecoverableError("retries exhausted (RETRY_MAX_AGE)");
    return "succeeded";
  };
}
