import type { Database } from "@hookrelay/db";
import { advanceRecovery, EventIngest, ProjectLookups } from "@hookrelay/ingest";
import type { DeliveryQueues, Logger, SecretBox } from "@hookrelay/shared";
import { startCaptureSupervisor } from "./capture/capture-supervisor.js";
import type { DispatcherConfig } from "./config.js";
import type { DispatcherMetrics } from "./metrics.js";
import { startOperationalRelay } from "./operational-relay.js";
import { startPollLoop } from "./poll-loop.js";

export interface DispatcherIngestResources {
  config: DispatcherConfig;
  db: Database;
  deliveryQueues: DeliveryQueues;
  secretBox: SecretBox;
  logger: Logger;
  metrics: DispatcherMetrics;
}

/** How often a dispatcher relays operational events into the pipeline. */
export const OPERATIONAL_RELAY_INTERVAL_MS = 1_000;
/** How often an idle dispatcher looks for a running recovery. */
export const RECOVERY_INTERVAL_MS = 1_000;

/**
 * The events a dispatcher produces itself, ingested through the same path as the api's `POST …/events`
 * (its own project lookups, kept current by LISTEN): captured changes of database sources (unless
 * `capture` is false) and operational events; and the deliveries of recoveries. Returns a stop function.
 */
export function startDispatcherIngest(
  resources: DispatcherIngestResources,
  { capture = true }: { capture?: boolean } = {},
): () => Promise<void> {
  const { config, db, logger } = resources;
  const lookups = new ProjectLookups(db);
  lookups.listen(config.databaseUrl, logger);
  const ingest = new EventIngest({ db, lookups, deliveryQueues: resources.deliveryQueues, logger });
  const stopSupervisor = capture
    ? startCaptureSupervisor({
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
      })
    : async () => undefined;
  const stopRelay = startOperationalRelay({ db, ingest, logger }, OPERATIONAL_RELAY_INTERVAL_MS);
  // Recoveries (`POST …/recover`) advance one bounded batch at a time, on whichever dispatcher is free.
  const handOff = { db, deliveryQueues: resources.deliveryQueues, logger };
  const stopRecoveries = startPollLoop(
    () => advanceRecovery(handOff),
    RECOVERY_INTERVAL_MS,
    (error) => logger.warn({ err: error.message }, "recovery: batch failed; trying again"),
  );
  return async () => {
    await Promise.all([stopSupervisor(), stopRelay(), stopRecoveries()]);
    await lookups.close();
  };
}
