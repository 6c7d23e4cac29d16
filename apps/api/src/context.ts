import type { Database } from "@hookrelay/db";
import type { EventIngest, ProjectLookups } from "@hookrelay/ingest";
import type { DeliveryQueues, Logger, MonitoredQueue, SecretBox, WebhookHttpClient } from "@hookrelay/shared";
import type { ApiConfig } from "./config.js";
import type { ApiMetrics } from "./metrics.js";

/** What routes and services need, built once in main.ts (or by a test) and passed in. */
export interface ApiContext {
  config: ApiConfig;
  db: Database;
  /** The delivery queues (QUEUE_SHARDS of them), routed by webhook. */
  deliveryQueues: DeliveryQueues;
  secretBox: SecretBox;
  /** Sends test events (`POST …/test`) under the same SSRF rules as the dispatcher. */
  webhookClient: WebhookHttpClient;
  logger: Logger;
  adminApiKey: string;
  /** Resolves when Redis answers; used by /readyz. */
  pingRedis: () => Promise<unknown>;
  /** API key → project and project → enabled webhooks, cached while kept current by LISTEN. */
  lookups: ProjectLookups;
  /** The ingest path shared with the dispatcher's capture of database sources. */
  ingest: EventIngest;
  /** Every BullMQ queue of the service (each delivery shard and the maintenance queue), shown by Bull Board. */
  queues: readonly MonitoredQueue[];
  /** This app instance's Prometheus registry and counters (never the global registry). */
  metrics: ApiMetrics;
}
