import { createPrismaClient, databaseIdentity } from "@hookrelay/db";
import { EventIngest, ProjectLookups } from "@hookrelay/ingest";
import {
  bootProcess,
  claimQueuePrefix,
  closeHttpServer,
  createRedisConnection,
  DELIVERY_QUEUE,
  onShutdownSignal,
  openServiceQueues,
  SecretBox,
  WebhookHttpClient,
} from "@hookrelay/shared";
import { Debug as prismaClientDebug } from "@prisma/client/runtime/client";
import { Debug as prismaAdapterDebug } from "@prisma/driver-adapter-utils";
import { Queue } from "bullmq";
import { loadOrCreateAdminKey } from "./admin-key.js";
import { createApp } from "./app.js";
import { loadApiConfig } from "./config.js";
import { createApiMetrics } from "./metrics.js";

const { config, logger } = bootProcess("api", () => loadApiConfig(process.env));

// Prisma keeps the arguments of its last 100 debug calls, even with debugging off, to put them in crash
// reports: one history in its client runtime, one in @prisma/debug (the pg adapter logs each statement
// with its parameters). Those arguments are whole statements' parameters, so the histories held the data
// and envelope of the last ~25 to 100 inserts of events: 75 MB after a few hundred 250 KB events sent one
// at a time, and several times that once group commit puts many large events in one insert, past the
// 192 MB heap (found with a heap snapshot). Pushing 100 tiny entries through each history drops those
// references (0.3 ms): within 50 ms of an insert, and every second for any other statement.
// TODO(packages/db): write events through node-postgres directly, so that no large value goes through
// Prisma, and drop this.
const PRISMA_DEBUG_HISTORY = 100;
const HISTORY_FLUSH_DELAY_MS = 50;
const historyFlushers = [prismaClientDebug, prismaAdapterDebug].map((debug) =>
  debug("hookrelay:flush-prisma-debug-history"),
);
let historyFlush: NodeJS.Timeout | undefined;
function flushPrismaDebugHistories(): void {
  clearTimeout(historyFlush);
  historyFlush = undefined;
  for (const flush of historyFlushers) {
    // Someone is debugging Prisma (DEBUG=…): keep the history, do not print 100 lines.
    if (flush.enabled) continue;
    for (let entry = 0; entry < PRISMA_DEBUG_HISTORY; entry++) flush("-");
  }
}
function scheduleHistoryFlush(): void {
  historyFlush ??= setTimeout(flushPrismaDebugHistories, HISTORY_FLUSH_DELAY_MS);
}
setInterval(flushPrismaDebugHistories, 1_000).unref();

let adminApiKey = config.adminApiKey;
if (!adminApiKey) {
  const generated = await loadOrCreateAdminKey(config.dataDir);
  adminApiKey = generated.key;
  if (generated.created) {
    // Printed once, on purpose: this is how the operator learns the key. It is not logged again.
    process.stdout.write(
      `\nhookrelay: generated ADMIN_API_KEY=${generated.key}\n  (kept in ${generated.file})\n\n`,
    );
  } else {
    logger.info({ file: generated.file }, "using the admin key kept in the data folder");
  }
}

const db = createPrismaClient(config.databaseUrl, { timeouts: config.databaseTimeouts });
const lookups = new ProjectLookups(db);
lookups.listen(config.databaseUrl, logger);
const redis = createRedisConnection(config.redisUrl, "producer", logger);
const deliveryQueue = new Queue(DELIVERY_QUEUE, { connection: redis, prefix: config.queuePrefix });
deliveryQueue.on("error", (error) => logger.debug({ err: error.message }, "queue error"));
const queues = openServiceQueues(redis, config.queuePrefix);

const metrics = createApiMetrics({ queues, db });
const app = createApp({
  config,
  db,
  deliveryQueue,
  secretBox: new SecretBox(config.secretsKey),
  webhookClient: new WebhookHttpClient({ allowPrivateTargets: config.allowPrivateTargets }),
  logger,
  adminApiKey,
  pingRedis: () => redis.ping(),
  lookups,
  queues,
  metrics,
  ingest: new EventIngest({
    db,
    lookups,
    deliveryQueue,
    logger,
    onStored: (count) => {
      metrics.eventsIngested.inc(count);
      scheduleHistoryFlush();
    },
  }),
});

// Not awaited: a warning about a shared QUEUE_PREFIX, once both backends answer.
databaseIdentity(db)
  .then((identity) => claimQueuePrefix(redis, config.queuePrefix, identity, logger))
  .catch(() => undefined);

const server = app.listen(config.port, () => {
  logger.info({ port: config.port }, "api listening");
});

// How long requests in flight may take to finish after SIGTERM before their connections are cut.
const SHUTDOWN_GRACE_MS = 10_000;

onShutdownSignal(async (signal) => {
  logger.info({ signal }, "api shutting down: finishing in-flight requests");
  await closeHttpServer(server, SHUTDOWN_GRACE_MS);
  // Disconnect first: closing a queue whose Redis is unreachable would wait for a connection.
  redis.disconnect();
  await deliveryQueue.close();
  await Promise.all(queues.map((queue) => queue.close()));
  await lookups.close();
  await db.$disconnect();
});
