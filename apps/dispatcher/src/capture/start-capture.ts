import type { Database } from "@hookrelay/db";
import { EventIngest, ProjectLookups } from "@hookrelay/ingest";
import type { DeliveryQueues, Logger, SecretBox } from "@hookrelay/shared";
import type { DispatcherConfig } from "../config.js";
import type { DispatcherMetrics } from "../metrics.js";
import { startCaptureSupervisor } from "./capture-supervisor.js";

export interface CaptureResources {
  config: DispatcherConfig;
  db: Database;
  deliveryQueues: DeliveryQueues;
  secretBox: SecretBox;
  logger: Logger;
  metrics: DispatcherMetrics;
}

/**
 * Capture of database change sources in this dispatcher, ingesting through the same path as the api's
 * `POST …/events` (its own project lookups, kept current by LISTEN). Returns a stop function.
 */
export function startCapture(resources: CaptureResources): () => Promise<void> {
  const { config, db, logger } = resources;
  const lookups = new ProjectLookups(db);
  lookups.listen(config.databaseUrl, logger);
  const ingest = new EventIngest({ db, lookups, deliveryQueues: resources.deliveryQueues, logger });
  const stopSupervisor = startCaptureSupervisor({
    db,
    ingest,
    secretBox: resources.secretBox,
    logger,
    metrics: resources.metrics,
    settings: {
      pollIntervalMs: config.capturePollIntervalMs,
      batchSize: config.captureBatchSize,
      backlogIntervalMs: config.sourceBacklogIntervalMs,
      maxPayloadBytes: config.maxPayloadBytes,
      sourceTimeouts: config.sourceTimeouts,
    },
  });
  return async () => {
    await stopSupervisor();
    await lookups.close();
  };
}
