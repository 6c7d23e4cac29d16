import type { Outcome } from "@hookrelay/db";
import {
  createMetricsRegistry,
  METRICS_PREFIX,
  type QueueCounts,
  registerServiceGauges,
  type ServiceGaugeReaders,
  type WebhookResponse,
} from "@hookrelay/shared";
import { Counter, Histogram, type Registry } from "prom-client";

/** What the dispatcher decided for a delivery (`retry_scheduled` can happen many times per delivery). */
export const DELIVERY_OUTCOMES = ["succeeded", "retry_scheduled", "failed", "webhook_disabled"] as const;
export type DeliveryOutcome = (typeof DELIVERY_OUTCOMES)[number];

const OUTCOME_OF: Record<Outcome["status"], DeliveryOutcome> = {
  succeeded: "succeeded",
  retry: "retry_scheduled",
  failed: "failed",
};

/** `error`: no HTTP answer (timeout, connection refused/reset, DNS, TLS, blocked address). */
export const STATUS_CLASSES = ["error", "2xx", "3xx", "4xx", "5xx"] as const;

/** Webhook answers take from a few milliseconds to the delivery timeout (20 s by default). */
export const ATTEMPT_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30];

interface Increment {
  inc(): void;
}

/**
 * The dispatcher's metrics: one registry per instance, passed in the worker's context. Label children are
 * made once here, so counting an attempt allocates no label objects (it runs once per delivery attempt).
 */
export class DispatcherMetrics {
  readonly registry: Registry;
  readonly #outcomes: Record<DeliveryOutcome, Increment>;
  /** Indexed by the status code's hundreds digit; 0 and anything unexpected count as `error`. */
  readonly #byStatusHundreds: Increment[];
  readonly #duration: { observe(seconds: number): void };
  readonly #changesCaptured: { inc(count: number): void };

  constructor(sources: { queues: readonly QueueCounts[]; readers: ServiceGaugeReaders }) {
    this.registry = createMetricsRegistry();
    registerServiceGauges(this.registry, sources);

    const outcomes = new Counter({
      name: `${METRICS_PREFIX}delivery_outcomes_total`,
      help:
        "Dispatcher decisions: succeeded; retry_scheduled (an attempt failed, another is scheduled); failed " +
        "(ended without success: retries exhausted, 410 Gone or auto-disable); webhook_disabled (ended " +
        "failed without an attempt because its webhook was disabled).",
      labelNames: ["outcome"] as const,
      registers: [this.registry],
    });
    this.#outcomes = Object.fromEntries(
      DELIVERY_OUTCOMES.map((outcome) => [outcome, outcomes.labels(outcome)]),
    ) as Record<DeliveryOutcome, Increment>;

    const attempts = new Counter({
      name: `${METRICS_PREFIX}attempts_total`,
      help: "Delivery attempts by answer: 2xx, 3xx, 4xx, 5xx, or error (timeout, connection or DNS failure, blocked address).",
      labelNames: ["status_class"] as const,
      registers: [this.registry],
    });
    const [error, ok, redirect, clientError, serverError] = STATUS_CLASSES.map((statusClass) =>
      attempts.labels(statusClass),
    ) as [Increment, Increment, Increment, Increment, Increment];
    this.#byStatusHundreds = [error, error, ok, redirect, clientError, serverError];

    const duration = new Histogram({
      name: `${METRICS_PREFIX}attempt_duration_seconds`,
      help: "How long delivery attempts took, from sending to the answer or the failure (timeouts at the timeout).",
      buckets: ATTEMPT_DURATION_BUCKETS,
      registers: [this.registry],
    });
    this.#duration = duration.labels();

    this.#changesCaptured = new Counter({
      name: `${METRICS_PREFIX}changes_captured_total`,
      help: "Row changes of database sources ingested as events by this dispatcher.",
      registers: [this.registry],
    }).labels();

    // Every series from the first scrape, at 0, so rate() and absent() behave.
    for (const outcome of DELIVERY_OUTCOMES) outcomes.inc({ outcome }, 0);
    for (const statusClass of STATUS_CLASSES) attempts.inc({ status_class: statusClass }, 0);
  }

  /** A recorded attempt: its answer's class, its duration, and the outcome the dispatcher decided. */
  attemptRecorded(response: WebhookResponse, outcome: Outcome["status"]): void {
    const hundreds = response.statusCode === null ? 0 : Math.floor(response.statusCode / 100);
    (this.#byStatusHundreds[hundreds] ?? this.#byStatusHundreds[0])?.inc();
    this.#duration.observe(response.latencyMs / 1000);
    this.#outcomes[OUTCOME_OF[outcome]].inc();
  }

  /** Row changes ingested (and removed from their source's change table). */
  changesCaptured(count: number): void {
    this.#changesCaptured.inc(count);
  }

  /** A delivery ended without an attempt because its webhook was disabled. */
  webhookDisabled(): void {
    this.#outcomes.webhook_disabled.inc();
  }
}
