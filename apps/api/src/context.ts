import type { Database } from "@hookrelay/db";
import type { EventIngest, ProjectLookups } from "@hookrelay/ingest";
import type { DeliveryQueueProducer, Logger, SecretBox, WebhookHttpClient } from "@hookrelay/shared";
import type { Queue } from "bullmq";
import type { ApiConfig } from "./config.js";
import type { ApiMetrics } from "./metrics.js";

/** What routes and services need, built once in main.ts (or by a test) and passed in. */
export interface ApiContext {
  config: ApiConfig;
  db: Database;
  deliveryQueue: DeliveryQueueProducer;
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
  /** Every BullMQ queue of the service (SERVICE_QUEUES), shown by Bull Board. */
  queues: readonly Queue[];
  /** This app instance's Prometheus registry and counters (never the global registry). */
  metrics: ApiMetrics;
}
