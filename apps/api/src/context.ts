import type { Database } from "@hookrelay/db";
import type { DeliveryQueueProducer, Logger, SecretBox } from "@hookrelay/shared";
import type { ApiConfig } from "./config.js";

/** What routes and services need, built once in main.ts (or by a test) and passed in. */
export interface ApiContext {
  config: ApiConfig;
  db: Database;
  deliveryQueue: DeliveryQueueProducer;
  secretBox: SecretBox;
  logger: Logger;
  adminApiKey: string;
  /** Resolves when Redis answers; used by /readyz. */
  pingRedis: () => Promise<unknown>;
}
