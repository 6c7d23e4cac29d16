import { type Database, DeliveryLoader, failPendingDeliveries, type Outcome } from "@hookrelay/db";
import {
  attemptRequest,
  type DeliverJob,
  deliverJobSchema,
  type Logger,
  type SecretBox,
  signatureStyle,
  signingSecrets,
  type WebhookHttpClient,
  type WebhookResponse,
} from "@hookrelay/shared";
import { DelayedError, type Job, UnrecoverableError } from "bullmq";
import type { AttemptRecorder } from "./attempt-recorder.js";
import type { DispatcherConfig } from "./config.js";
import type { DispatcherMetrics } from "./metrics.js";
import type { EndpointRateLimiter } from "./rate-limiter.js";
import { retriesExhausted, retryAfterDelay, retryDelay } from "./schedule.js";

export interface DispatcherContext {
  config: DispatcherConfig;
  db: Database;
  http: WebhookHttpClient;
  secretBox: SecretBox;
  logger: Logger;
  rateLimiter: EndpointRateLimiter;
  recorder: AttemptRecorder;
  metrics: DispatcherMetrics;
}

/** Thrown to make BullMQ retry; carries the delay the worker chose (and recorded as next_attempt_at). */
export class RetryLater extends Error {
  constructor(readonly delayMs: number) {
    super(`retry in ${delayMs} ms`);
    this.name = "RetryLater";
  }
}

/** The attempt error recorded when a webhook's secret cannot be decrypted with SECRETS_KEY. */
export const SECRET_UNREADABLE = "secret_unreadable";

/** The longest wait after an error that did not come from an attempt (database down, a crash). */
export const INFRASTRUCTURE_RETRY_CAP_MS = 60_000;

/**
 * BullMQ custom backoff: the delay the processor chose after a real attempt. Errors that did not come from
 * an attempt (the database down, a crash) retry soon — doubling from 1 s up to a minute, with jitter —
 * and never move the delivery's schedule: that follows its recorded attempts (`attempt_count`), while
 * BullMQ's `attemptsMade` also counts these failed runs and would otherwise push the next real attempt
 * hours ahead.
 */
export function backoffStrategy(_config: DispatcherConfig, random: () => number = Math.random) {
  return (attemptsMade: number, _type?: string, error?: Error): number => {
    if (error instanceof RetryLater) return error.delayMs;
    const base = Math.min(
      INFRASTRUCTURE_RETRY_CAP_MS,
      1_000 * 2 ** Math.min(Math.max(attemptsMade - 1, 0), 6),
    );
    return Math.round(base * (0.9 + 0.2 * random()));
  };
}

function isSuccess(response: WebhookResponse): boolean {
  return response.statusCode !== null && response.statusCode >= 200 && response.statusCode < 300;
}

/** What follows a finished attempt: success, a retry (and when), or the end of the delivery. */
export function decideOutcome(
  config: DispatcherConfig,
  response: WebhookResponse,
  context: { attemptNumber: number; firstAttemptAt: Date; failingSince: Date | null; now: Date },
): { outcome: Outcome; delayMs: number } {
  if (isSuccess(response)) return { outcome: { status: "succeeded" }, delayMs: 0 };
  if (response.statusCode === 410)
    return { outcome: { status: "failed", disableWebhook: "gone_410" }, delayMs: 0 };
  const failingSince = context.failingSince ?? context.now;
  if (context.now.getTime() - failingSince.getTime() >= config.autoDisableAfterMs) {
    return { outcome: { status: "failed", disableWebhook: "auto_failing" }, delayMs: 0 };
  }
  const longest = Math.max(...config.retrySchedule);
  const delayMs =
    retryAfterDelay(
      response.statusCode,
      response.responseHeaders?.["retry-after"],
      longest,
      context.now.getTime(),
    ) ?? retryDelay(config.retrySchedule, context.attemptNumber);
  const nextAttemptAt = new Date(context.now.getTime() + delayMs);
  if (retriesExhausted(context.firstAttemptAt, nextAttemptAt, config.retryMaxAgeMs)) {
    return { outcome: { status: "failed" }, delayMs: 0 };
  }
  return { outcome: { status: "retry", nextAttemptAt }, delayMs };
}

// A job that comes back much later than its slot (a busy dispatcher, late promotion of delayed jobs) would
// bunch up with others and overrun the endpoint's limit, so it reserves again — a few times at most, so a
// heavily loaded dispatcher still makes progress.
const MAX_SLOT_TRIES = 3;

function mayUseReservedSlot(data: DeliverJob, attemptsMade: number, perSecond: number): boolean {
  if (data.slotAt === undefined || data.slotForAttempt !== attemptsMade) return false;
  const late = Date.now() - data.slotAt;
  return late <= 1000 / perSecond || (data.slotTries ?? 0) >= MAX_SLOT_TRIES;
}

/** The BullMQ processor: one delivery attempt per job run. */
export function createDeliveryProcessor(ctx: DispatcherContext) {
  const { config, db } = ctx;
  const deliveries = new DeliveryLoader(db);
  return async (job: Job, token?: string): Promise<string> => {
    const data = deliverJobSchema.parse(job.data);
    const delivery = await deliveries.load(data.deliveryId);
    // Deleted with its webhook, or already finished by an earlier run of this job: nothing to do.
    if (delivery?.status !== "pending") return "skipped";
    const { webhook } = delivery;
    if (!webhook.enabled) {
      await failPendingDeliveries(db, { id: delivery.id }, new Date());
      ctx.metrics.webhookDisabled();
      return "webhook_disabled";
    }

    // Per-endpoint rate limit: wait for a reserved slot. Moving the job to delayed is not an attempt.
    if (
      webhook.rateLimitPerSecond &&
      !mayUseReservedSlot(data, job.attemptsMade, webhook.rateLimitPerSecond)
    ) {
      const slotAt = await ctx.rateLimiter.reserve(webhook.id, webhook.rateLimitPerSecond);
      if (slotAt > Date.now() + 5) {
        const reserved = data.slotForAttempt === job.attemptsMade;
        await job.updateData({
          ...data,
          slotAt,
          slotForAttempt: job.attemptsMade,
          slotTries: reserved ? (data.slotTries ?? 0) + 1 : 1,
        });
        await job.moveToDelayed(slotAt, token);
        throw new DelayedError();
      }
    }

    const attemptNumber = delivery.attemptCount + 1;
    const startedAt = new Date();
    let secrets: ReturnType<typeof signingSecrets>;
    try {
      secrets = signingSecrets(webhook, ctx.secretBox, startedAt);
    } catch {
      // The secret no longer decrypts (SECRETS_KEY changed): every run would fail the same way, so the
      // delivery ends now, failed, with the reason recorded as its attempt — not retried forever.
      await ctx.recorder.record({
        deliveryId: delivery.id,
        webhookId: webhook.id,
        attemptNumber,
        response: {
          statusCode: null,
          responseBody: null,
          responseHeaders: null,
          latencyMs: 0,
          error: SECRET_UNREADABLE,
        },
        outcome: { status: "failed" },
        at: startedAt,
        failingSince: webhook.failingSince,
      });
      ctx.logger.error(
        { deliveryId: delivery.id, webhookId: webhook.id },
        "webhook secret does not decrypt (SECRETS_KEY changed?)",
      );
      throw new UnrecoverableError(SECRET_UNREADABLE);
    }
    const response = await ctx.http.send(
      attemptRequest({
        url: webhook.url,
        body: delivery.payload,
        customHeaders: webhook.headers,
        secrets,
        signature: signatureStyle(webhook),
        eventId: delivery.eventId,
        eventType: delivery.eventType,
        deliveryId: delivery.id,
        attemptNumber,
        at: startedAt,
        timeoutMs: config.deliveryTimeoutMs,
      }),
    );

    const { outcome, delayMs } = decideOutcome(config, response, {
      attemptNumber,
      firstAttemptAt: delivery.createdAt,
      failingSince: webhook.failingSince,
      now: new Date(),
    });
    await ctx.recorder.record({
      deliveryId: delivery.id,
      webhookId: webhook.id,
      attemptNumber,
      response,
      outcome,
      at: startedAt,
      failingSince: webhook.failingSince,
    });
    ctx.metrics.attemptRecorded(response, outcome.status);
    if (outcome.status === "failed" && outcome.disableWebhook) {
      ctx.logger.warn({ webhookId: webhook.id, reason: outcome.disableWebhook }, "webhook disabled");
    }

    if (outcome.status === "retry") throw new RetryLater(delayMs);
    if (outcome.status === "failed") throw new UnrecoverableError("delivery failed for good");
    return "succeeded";
  };
}
