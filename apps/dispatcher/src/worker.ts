import {
  claimFifoLease,
  type Database,
  type DeliveryForAttempt,
  DeliveryLoader,
  failPendingDeliveries,
  fifoHead,
  type Outcome,
  pendingDeliveryState,
  releaseFifoLease,
} from "@hookrelay/db";
import {
  attemptRequest,
  type DeliverJob,
  type DeliveryQueues,
  DisabledReason,
  deliverJobSchema,
  enqueueDeliveries,
  idTime,
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
import type { WebhookInFlightCap } from "./in-flight-cap.js";
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
  /** Where a FIFO line's next head is enqueued when the one before it ends. */
  deliveryQueues: DeliveryQueues;
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
/** The attempt error recorded when an error other than an attempt kept failing a delivery past RETRY_MAX_AGE. */
export const DISPATCH_ERROR = "dispatch_error";
const DISPATCH_ERROR_GRACE_MS = 3_600_000;
const DISPATCH_ERROR_RUNS = 3;

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
    return { outcome: { status: "failed", disableWebhook: DisabledReason.gone410 }, delayMs: 0 };
  const failingSince = context.failingSince ?? context.now;
  if (context.now.getTime() - failingSince.getTime() >= config.autoDisableAfterMs) {
    return { outcome: { status: "failed", disableWebhook: DisabledReason.autoFailing }, delayMs: 0 };
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

// A job that comes back much later than its slot (a busy dispatcher, late promotion of delayed jobs, a
// wait for a place) would bunch up with others and overrun the endpoint's limit, so it reserves again — a
// few times at most, so a heavily loaded dispatcher still makes progress. The line it joins again is
// short: reservations reach at most WEBHOOK_CONCURRENCY slots ahead (the limiter answers "full" beyond
// that and the delivery parks until a place frees), never the length of a whole backlog.
export const MAX_SLOT_TRIES = 3;

/** Whether a job may send now on the rate slot it reserved earlier, rather than reserve another. */
export function mayUseReservedSlot(
  data: DeliverJob,
  attemptsMade: number,
  perSecond: number,
  now: number,
): boolean {
  if (data.slotAt === undefined || data.slotForAttempt !== attemptsMade) return false;
  const late = now - data.slotAt;
  return late <= 1000 / perSecond || (data.slotTries ?? 0) >= MAX_SLOT_TRIES;
}

/**
 * A webhook whose oldest request in flight has been out this long is slow: deliveries that find it full
 * are parked rather than wait in the dispatcher (a fast one frees a place within moments: they wait).
 */
const SLOW_REQUEST_MS = 1_000;

/** A FIFO line's lease lasts an attempt (DELIVERY_TIMEOUT_MS) plus this, for recording it. */
const FIFO_LEASE_MARGIN_MS = 30_000;

/** Thrown by the processor after it moved its job to delayed itself (not an attempt). */
function waitInDelayed(): never {
  throw new DelayedError();
}

/** The BullMQ processor: one delivery attempt per job run. */
export function createDeliveryProcessor(ctx: DispatcherContext, inFlight: WebhookInFlightCap) {
  const { config, db } = ctx;
  const deliveries = new DeliveryLoader(db);

  /** Parks a job whose webhook has no free place here: delayed (not an attempt) until one frees. */
  async function park(
    job: Job,
    token: string | undefined,
    data: DeliverJob,
    webhookId: string,
    reason: "no_place" | "rate_line_full",
  ): Promise<never> {
    const wakeAt = Date.now() + inFlight.wakeAfterMs(webhookId);
    if (data.webhookId !== webhookId) await job.updateData({ ...data, webhookId });
    await job.moveToDelayed(wakeAt, token);
    if (job.id !== undefined) inFlight.parked(webhookId, job.id, wakeAt, reason === "no_place");
    waitInDelayed();
  }

  /**
   * Enqueues a FIFO line's head once the delivery before it ended (its attempt recorded). A second try a
   * moment later covers the head's own job still running its "behind" answer when the first add came
   * (BullMQ ignores an add while a job of that id exists). If this process dies first, the outbox sweep
   * finds the head without a job.
   */
  function releaseNextHead(webhookId: string, again = true): void {
    void (async () => {
      const next = await fifoHead(db, webhookId);
      if (!next) return;
      const delayMs = Math.max(0, (next.nextAttemptAt?.getTime() ?? 0) - Date.now());
      await enqueueDeliveries(ctx.deliveryQueues, [{ deliveryId: next.id, webhookId }], {
        delayMs,
        timeoutMs: 5_000,
      });
      if (again) setTimeout(() => releaseNextHead(webhookId, false), 1_000).unref();
    })().catch((error: Error) =>
      ctx.logger.warn({ webhookId, err: error.message }, "fifo: next head not enqueued; the sweep will"),
    );
  }

  /** One attempt; the job is parked instead when its webhook has no place or no room in its rate line. */
  async function attempt(
    job: Job,
    token: string | undefined,
    data: DeliverJob,
    delivery: DeliveryForAttempt,
  ): Promise<string> {
    const { webhook } = delivery;
    // Per-endpoint rate limit: wait for a reserved slot. Moving the job to delayed is not an attempt.
    if (
      webhook.rateLimitPerSecond &&
      !mayUseReservedSlot(data, job.attemptsMade, webhook.rateLimitPerSecond, Date.now())
    ) {
      const slotAt = await ctx.rateLimiter.reserve(
        webhook.id,
        webhook.rateLimitPerSecond,
        config.webhookConcurrency,
      );
      if (slotAt === null) return park(job, token, data, webhook.id, "rate_line_full");
      if (slotAt > Date.now() + 5) {
        const reserved = data.slotForAttempt === job.attemptsMade;
        await job.updateData({
          ...data,
          slotAt,
          slotForAttempt: job.attemptsMade,
          slotTries: reserved ? (data.slotTries ?? 0) + 1 : 1,
        });
        await job.moveToDelayed(slotAt, token);
        waitInDelayed();
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
      await endWithoutAttempt(
        { id: delivery.id, webhookId: webhook.id, failingSince: webhook.failingSince },
        attemptNumber,
        SECRET_UNREADABLE,
      );
      ctx.logger.error(
        { deliveryId: delivery.id, webhookId: webhook.id },
        "webhook secret does not decrypt (SECRETS_KEY changed?)",
      );
      throw new UnrecoverableError(SECRET_UNREADABLE);
    }
    const place = await inFlight.acquire(webhook.id, job.id, SLOW_REQUEST_MS);
    if (!place) return park(job, token, data, webhook.id, "no_place");
    const response = await ctx.http
      .send(
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
      )
      .finally(() => inFlight.release(place));

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
      announce: true,
    });
    ctx.metrics.attemptRecorded(response, outcome.status);
    if (outcome.status === "failed" && outcome.disableWebhook) {
      ctx.logger.warn({ webhookId: webhook.id, reason: outcome.disableWebhook }, "webhook disabled");
    }

    if (outcome.status === "retry") throw new RetryLater(delayMs);
    if (outcome.status === "failed") throw new UnrecoverableError("delivery failed for good");
    return "succeeded";
  }

  /** Ends a delivery as failed, recording `reason` as an attempt that sent nothing. */
  async function endWithoutAttempt(
    delivery: { id: string; webhookId: string; failingSince: Date | null },
    attemptNumber: number,
    reason: string,
  ): Promise<void> {
    const response: WebhookResponse = {
      statusCode: null,
      responseBody: null,
      responseHeaders: null,
      latencyMs: 0,
      error: reason,
    };
    await ctx.recorder.record({
      deliveryId: delivery.id,
      webhookId: delivery.webhookId,
      attemptNumber,
      response,
      outcome: { status: "failed" },
      at: new Date(),
      failingSince: delivery.failingSince,
      announce: true,
    });
    ctx.metrics.attemptRecorded(response, "failed");
  }

  /**
   * An error that came from no attempt (the database or Redis failing, a bug) retries soon without moving
   * the schedule (backoffStrategy). One that keeps failing a delivery well past its time — older than
   * RETRY_MAX_AGE plus a grace (an hour, or RETRY_MAX_AGE if shorter), and after DISPATCH_ERROR_RUNS such
   * failed runs — would otherwise retry forever and keep its event from retention: the delivery ends,
   * failed, with DISPATCH_ERROR recorded as its last attempt. A passing blip at the end of a delivery's
   * life does not end it. Returns normally when it did not end the delivery.
   */
  async function endIfOutOfTime(job: Job, deliveryId: string, error: unknown): Promise<void> {
    const graceMs = Math.min(DISPATCH_ERROR_GRACE_MS, config.retryMaxAgeMs);
    if (Date.now() - idTime(deliveryId).getTime() < config.retryMaxAgeMs + graceMs) return;
    const delivery = await pendingDeliveryState(db, deliveryId);
    // attemptsMade counts every failed run, attempts included; this run is not counted yet.
    if (!delivery || job.attemptsMade + 1 - delivery.attemptCount < DISPATCH_ERROR_RUNS) return;
    await endWithoutAttempt(delivery, delivery.attemptCount + 1, DISPATCH_ERROR);
    ctx.logger.error(
      { deliveryId, err: (error as Error).message },
      "delivery ended: an error other than its attempts kept failing it past RETRY_MAX_AGE",
    );
    throw new UnrecoverableError(DISPATCH_ERROR);
  }

  return async (job: Job, token?: string): Promise<string> => {
    const parsed = deliverJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError("not a delivery job");
    const data = parsed.data;
    // A parked job knows its webhook: while that webhook is still full of slow requests here, it parks
    // again at once, without loading anything.
    if (data.webhookId !== undefined && !inFlight.mayHaveRoom(data.webhookId, SLOW_REQUEST_MS))
      return park(job, token, data, data.webhookId, "no_place");
    try {
      const delivery = await deliveries.load(data.deliveryId);
      // Deleted with its webhook, or already finished by an earlier run of this job: nothing to do.
      if (delivery?.status !== "pending") return "skipped";
      if (!delivery.webhook.enabled) {
        await failPendingDeliveries(db, { id: delivery.id }, new Date());
        ctx.metrics.webhookDisabled();
        return "webhook_disabled";
      }
      const inLine = delivery.webhook.ordering === "fifo" && delivery.replayOf === null;
      if (!inLine) return await attempt(job, token, data, delivery);
      // Behind its FIFO line's head, or the line's lease held by another in flight: the job ends here; the
      // end of the one in flight enqueues the next head.
      const line = { webhookId: delivery.webhook.id, deliveryId: delivery.id };
      const leaseMs = config.deliveryTimeoutMs + FIFO_LEASE_MARGIN_MS;
      if (!(await claimFifoLease(db, { ...line, leaseMs }))) return "behind_head";
      let ended = false;
      try {
        const outcome = await attempt(job, token, data, delivery);
        ended = true;
        return outcome;
      } catch (error) {
        // Ended for good (failed, or out of time): the line moves on; a retry or a park keeps it.
        ended = error instanceof UnrecoverableError;
        throw error;
      } finally {
        // After the attempt is recorded. If this fails, or the process dies first, the lease runs out.
        await releaseFifoLease(db, line).catch(() => undefined);
        if (ended) releaseNextHead(line.webhookId);
      }
    } catch (error) {
      if (
        !(error instanceof RetryLater || error instanceof DelayedError || error instanceof UnrecoverableError)
      )
        await endIfOutOfTime(job, data.deliveryId, error);
      throw error;
    }
  };
}
