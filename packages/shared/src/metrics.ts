import { Queue } from "bullmq";
import { collectDefaultMetrics, Gauge, Registry } from "prom-client";
import { type QueueTopology, serviceQueueAddresses } from "./queue-topology.js";
import type { RedisClient } from "./redis.js";
import { withTimeout } from "./time-limit.js";

// Metrics shared by the api and the dispatcher. Each app instance has its own registry (never prom-client's
// global one), so several apps can live in one process (the integration tests do).

export const METRICS_PREFIX = "hookrelay_";

/** Queue states the depth gauge reports. */
export const QUEUE_DEPTH_STATES = ["waiting", "delayed", "active", "failed"] as const;

// A scrape must answer even when Redis or PostgreSQL does not: each source gets this long.
const COLLECT_TIMEOUT_MS = 2_000;

function withinCollectTime<T>(work: Promise<T>): Promise<T> {
  return withTimeout(work, COLLECT_TIMEOUT_MS);
}

/** A registry with prom-client's default process metrics (CPU, memory, event loop, GC). */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** A queue as monitoring shows it: every delivery shard under its own label. */
export interface MonitoredQueue<Handle = Queue> {
  label: string;
  queue: Handle;
}

/**
 * One BullMQ `Queue` handle per queue of the service (every delivery shard and the maintenance queue), on
 * `connection`: Bull Board and the depth gauge.
 */
export function openServiceQueues(connection: RedisClient, topology: QueueTopology): MonitoredQueue[] {
  return serviceQueueAddresses(topology).map(({ name, prefix, label }) => {
    // Watching a queue writes nothing to Redis: its producers and workers keep its meta hash.
    const queue = new Queue(name, { connection, prefix, skipMetasUpdate: true });
    // Redis being down is reported by /readyz; the queues only need not to crash the process.
    queue.on("error", () => undefined);
    return { label, queue };
  });
}

export type QueueCounts = MonitoredQueue<Pick<Queue, "getJobCounts" | "opts">>;

// BullMQ waits (without failing) for a connection that is not up, so during a Redis outage each scrape
// would leave calls waiting; a queue whose connection is not ready is not asked at all. A Cluster reports
// "ready" once its slots are known.
function connectionReady({ queue }: QueueCounts): boolean {
  const { status } = queue.opts.connection as { status?: unknown };
  return status === undefined || status === "ready";
}

/**
 * `hookrelay_queue_jobs{queue,state}`, read from Redis on each scrape. While Redis does not answer the
 * gauge has no samples (rather than stale or zero ones).
 */
export function registerQueueDepthGauge(registry: Registry, queues: readonly QueueCounts[]): void {
  new Gauge({
    name: `${METRICS_PREFIX}queue_jobs`,
    help: "Jobs in each BullMQ queue of the service by state (waiting, delayed, active, failed), read on scrape.",
    labelNames: ["queue", "state"] as const,
    registers: [registry],
    async collect() {
      try {
        if (!queues.every(connectionReady)) throw new Error("redis is not connected");
        const counts = await withinCollectTime(
          Promise.all(queues.map(({ queue }) => queue.getJobCounts(...QUEUE_DEPTH_STATES))),
        );
        this.reset();
        queues.forEach(({ label }, index) => {
          for (const state of QUEUE_DEPTH_STATES)
            this.set({ queue: label, state }, counts[index]?.[state] ?? 0);
        });
      } catch {
        this.reset();
      }
    },
  });
}

/** What the PostgreSQL-backed gauges read (statements in packages/db: `serviceGaugeReaders`). */
export interface ServiceGaugeReaders {
  /** Deliveries committed but not yet in the queue (the outbox the dispatcher's sweep enqueues). */
  outboxBacklog: () => Promise<number>;
  sourceHealth: () => Promise<SourceHealth[]>;
}

/** A database change source's health as its capturing dispatcher last recorded it. */
export interface SourceHealth {
  id: string;
  status: string;
  pending_changes: number;
  oldest_pending_at: Date | null;
}

/**
 * `hookrelay_outbox_backlog`, counted in PostgreSQL on each scrape. While PostgreSQL does not answer the
 * gauge has no sample.
 */
export function registerOutboxBacklogGauge(registry: Registry, outboxBacklog: () => Promise<number>): void {
  new Gauge({
    name: `${METRICS_PREFIX}outbox_backlog`,
    help: "Deliveries committed but not yet enqueued (pending, enqueued_at null); the outbox sweep enqueues them.",
    registers: [registry],
    async collect() {
      try {
        this.set(await withinCollectTime(outboxBacklog()));
      } catch {
        this.remove();
      }
    },
  });
}

/**
 * Each database change source's health as its capturing dispatcher last recorded it in PostgreSQL:
 * `hookrelay_source_up`, `hookrelay_source_pending_changes`, `hookrelay_source_oldest_pending_seconds`.
 */
export function registerSourceGauges(registry: Registry, sourceHealth: () => Promise<SourceHealth[]>): void {
  let rows: Promise<SourceHealth[]> | undefined;
  // The three gauges are collected one after the other in one scrape: they share one query.
  const read = () => {
    rows ??= withinCollectTime(sourceHealth()).finally(() =>
      setTimeout(() => (rows = undefined), 100).unref(),
    );
    return rows;
  };
  const gauge = (name: string, help: string, value: (row: SourceHealth, now: number) => number) =>
    new Gauge({
      name: `${METRICS_PREFIX}${name}`,
      help,
      labelNames: ["source_id"] as const,
      registers: [registry],
      async collect() {
        try {
          const found = await read();
          const now = Date.now();
          this.reset();
          for (const row of found) this.set({ source_id: row.id }, value(row, now));
        } catch {
          this.reset();
        }
      },
    });
  gauge("source_up", "1 while the database change source is captured without error, 0 in error.", (row) =>
    row.status === "active" ? 1 : 0,
  );
  gauge(
    "source_pending_changes",
    "Row changes recorded in the source database and not yet ingested (as last measured).",
    (row) => row.pending_changes,
  );
  gauge(
    "source_oldest_pending_seconds",
    "Age of the oldest change not yet ingested (0 when none).",
    (row, now) => (row.oldest_pending_at ? Math.max(0, (now - row.oldest_pending_at.getTime()) / 1000) : 0),
  );
}

/** Collectors both apps expose: queue depth, outbox backlog and database change sources. */
export function registerServiceGauges(
  registry: Registry,
  sources: { queues: readonly QueueCounts[]; readers: ServiceGaugeReaders },
): void {
  registerQueueDepthGauge(registry, sources.queues);
  registerOutboxBacklogGauge(registry, sources.readers.outboxBacklog);
  registerSourceGauges(registry, sources.readers.sourceHealth);
}
