import type { AddressInfo } from "node:net";
import { createPrismaClient, databaseIdentity, pingDatabase, serviceGaugeReaders } from "@hookrelay/db";
import {
  bootProcess,
  claimQueuePrefix,
  createRedisConnection,
  maintenanceQueueAddress,
  onShutdownSignal,
  openDeliveryQueues,
  openServiceQueues,
  recordQueueLayout,
  SecretBox,
  WebhookHttpClient,
} from "@hookrelay/shared";
import { AttemptRecorder } from "./attempt-recorder.js";
import { loadDispatcherConfig } from "./config.js";
import { startDeliveryWorkers } from "./delivery-worker.js";
import { startDispatcherIngest } from "./dispatcher-ingest.js";
import { startHealthServer } from "./health-server.js";
import { DispatcherMetrics } from "./metrics.js";
import { EndpointRateLimiter } from "./rate-limiter.js";
import { scheduleOutboxSweep } from "./sweeps/outbox.js";
import { scheduleRetention } from "./sweeps/retention.js";

const { config, logger } = bootProcess("dispatcher", () => loadDispatcherConfig(process.env));
const MAINTENANCE_STATEMENT_TIMEOUT_MS = 10 * 60_000;

// More connections than concurrency buys nothing: each job holds one only briefly.
const db = createPrismaClient(config.databaseUrl, {
  maxConnections: Math.min(config.concurrency, 20),
  timeouts: config.databaseTimeouts,
});
// Retention deletes in batches that may take longer than a request's statement bound on a large database.
const maintenanceDb = createPrismaClient(config.databaseUrl, {
  maxConnections: 2,
  timeouts: { ...config.databaseTimeouts, statementMs: MAINTENANCE_STATEMENT_TIMEOUT_MS },
});
const redis = createRedisConnection(config.redis, "worker", logger);
const http = new WebhookHttpClient({ allowPrivateTargets: config.allowPrivateTargets });
const recorder = new AttemptRecorder(db);
const monitoredQueues = openServiceQueues(redis, config.queueTopology);
const metrics = new DispatcherMetrics({ queues: monitoredQueues, readers: serviceGaugeReaders(db) });
const secretBox = new SecretBox(config.secretsKey);
const deliveryQueues = openDeliveryQueues(redis, config.queueTopology, (error) =>
  logger.debug({ err: error.message }, "queue error"),
);
const workers = startDeliveryWorkers(
  {
    config,
    db,
    http,
    secretBox,
    logger,
    rateLimiter: new EndpointRateLimiter(redis, config.queueTopology),
    recorder,
    metrics,
    deliveryQueues,
  },
  redis,
);
const stopSweep = scheduleOutboxSweep(
  { db, queues: deliveryQueues, redis, logger, graceMs: config.outboxSweepIntervalMs },
  config.outboxSweepIntervalMs,
);
const stopRetention = scheduleRetention({
  db: maintenanceDb,
  logger,
  connection: redis,
  prefix: maintenanceQueueAddress(config.queueTopology).prefix,
  retentionMs: config.retentionMs,
  intervalMs: config.retentionIntervalMs,
});
const stopIngest = startDispatcherIngest({ config, db, deliveryQueues, secretBox, logger, metrics });
const server = startHealthServer(
  config.port,
  { postgres: () => pingDatabase(db), redis: () => redis.ping() },
  { metrics: metrics.registry },
);
// For `npm start`'s banner (scripts/start-banner.js); no-op without an IPC channel. The callback makes a
// channel closed meanwhile (the supervisor was killed) no crash.
server.once("listening", () => {
  const port = (server.address() as AddressInfo).port;
  process.send?.({ hookrelay: "listening", app: "dispatcher", port }, () => undefined);
});
logger.info(
  {
    port: config.port,
    concurrency: config.concurrency,
    redis: config.redis.mode,
    queueShards: workers.length,
  },
  "dispatcher started",
);
// Not awaited: a warning about a shared QUEUE_PREFIX, once both backends answer.
databaseIdentity(db)
  .then((identity) => claimQueuePrefix(redis, config.queuePrefix, identity, logger))
  .then(() => recordQueueLayout(redis, config.queueTopology, logger))
  .catch(() => undefined);

onShutdownSignal(async (signal) => {
  logger.info({ signal }, "dispatcher shutting down: finishing in-flight attempts");
  // close() stops taking jobs and waits for the running ones, each bounded by DELIVERY_TIMEOUT_MS.
  await Promise.all([...workers.map((worker) => worker.close()), stopSweep(), stopRetention(), stopIngest()]);
  await recorder.close();
  server.close();
  http.close();
  redis.disconnect();
  await Promise.all(
    [...deliveryQueues.shards, ...monitoredQueues.map(({ queue }) => queue)].map((queue) => queue.close()),
  );
  await Promise.all([db.$disconnect(), maintenanceDb.$disconnect()]);
});
