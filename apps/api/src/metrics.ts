import {
  createMetricsRegistry,
  METRICS_PREFIX,
  type QueueCounts,
  registerServiceGauges,
  type ServiceGaugeReaders,
} from "@hookrelay/shared";
import type { RequestHandler } from "express";
import { Counter, type Registry } from "prom-client";

/** The api's metrics: one registry per app instance, passed in the context. */
export interface ApiMetrics {
  registry: Registry;
  /** Events stored by ingest (an idempotent repeat stores nothing and is not counted). */
  eventsIngested: { inc(count?: number): void };
}

export function createApiMetrics(sources: {
  queues: readonly QueueCounts[];
  readers: ServiceGaugeReaders;
}): ApiMetrics {
  const registry = createMetricsRegistry();
  registerServiceGauges(registry, sources);
  const eventsIngested = new Counter({
    name: `${METRICS_PREFIX}events_ingested_total`,
    help: "Events accepted and stored by the api (idempotent repeats not counted).",
    registers: [registry],
  });
  // The child binds its (empty) label set once: nothing is allocated for labels per event.
  return { registry, eventsIngested: eventsIngested.labels() };
}

/** `GET /metrics` in the Prometheus text format. No auth: meant for the internal network, like /healthz. */
export function metricsHandler(registry: Registry): RequestHandler {
  // Express 5 passes a rejection to the error handler.
  return async (_req, res) => {
    const body = await registry.metrics();
    res.setHeader("Content-Type", registry.contentType);
    res.end(body);
  };
}
