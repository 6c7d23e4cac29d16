import { createPrismaClient, databaseIdentity } from "@hookrelay/db";
import {
  bootProcess,
  claimQueuePrefix,
  createRedisConnection,
  DELIVERY_QUEUE,
  onShutdownSignal,
  openServiceQueues,
  SecretBox,
  WebhookHttpClient,
} from "@hookrelay/shared";
import { Queue } from "bullmq";
import { AttemptRecorder } from "./attempt-recorder.js";
import { startCapture } from "./capture/start-capture.js";
import { loadDispatcherConfig } from "./config.js";
import { startDeliveryWorker } from "./delivery-worker.js";
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
const redis = createRedisConnection(config.redisUrl, "worker", logger);
const http = new WebhookHttpClient({ allowPrivateTargets: config.allowPrivateTargets });
const recorder = new AttemptRecorder(db);
const monitoredQueues = openServiceQueues(redis, config.queuePrefix);
const metrics = new DispatcherMetrics({ queues: monitoredQueues, db });
const secretBox = new SecretBox(config.secretsKey);
const worker = startDeliveryWorker(
  {
    config,
    db,
    http,
    secretBox,
    logger,
    rateLimiter: new EndpointRateLimiter(redis, config.queuePrefix),
    recorder,
    metrics,
  },
  redis,
);
const queue = new Queue(DELIVERY_QUEUE, { connection: redis, prefix: config.queuePrefix });
queue.on("error", (error) => logger.debug({ err: error.message }, "queue error"));
const stopSweep = scheduleOutboxSweep(
  { db, queue, redis, logger, graceMs: config.outboxSweepIntervalMs },
  config.outboxSweepIntervalMs,
);
const stopRetention = scheduleRetention({
  db: maintenanceDb,
  logger,
  connection: redis,
  prefix: config.queuePrefix,
  retentionMs: config.retentionMs,
  intervalMs: config.retentionIntervalMs,
});
const stopCapture = startCapture({ config, db, deliveryQueue: queue, secretBox, logger, metrics });
const server = startHealthServer(
  config.port,
  { postgres: () => db.$queryRaw`SELECT 1`, redis: () => redis.ping() },
  { metrics: metrics.registry },
);
logger.info({ port: config.port, concurrency: config.concurrency }, "dispatcher started");
// Not awaited: a warning about a shared QUEUE_PREFIX, once both backends answer.
databaseIdentity(db)
  .then((identity) => claimQueuePrefix(redis, config.queuePrefix, identity, logger))
  .catch(() => undefined);

onShutdownSignal(async (signal) => {
  logger.info({ signal }, "dispatcher shutting down: finishing in-flight attempts");
  // close() stops taking jobs and waits for the running ones, each bounded by DELIVERY_TIMEOUT_MS.
  await Promise.all([worker.close(), stopSweep(), stopRetention(), stopCapture()]);
  await recorder.close();
  server.close();
  http.close();
  redis.disconnect();
  await queue.close();
  await Promise.all(monitoredQueues.map((monitored) => monitored.close()));
  await Promise.all([db.$disconnect(), maintenanceDb.$disconnect()]);
});
