import type { AddressInfo } from "node:net";
import { createPrismaClient, databaseIdentity, serviceGaugeReaders } from "@hookrelay/db";
import { EventIngest, ProjectLookups } from "@hookrelay/ingest";
import {
  bootProcess,
  claimQueuePrefix,
  closeHttpServer,
  createRedisConnection,
  onShutdownSignal,
  openDeliveryQueues,
  openServiceQueues,
  recordQueueLayout,
  SecretBox,
  WebhookHttpClient,
} from "@hookrelay/shared";
import { BULL_BOARD_PATH } from "./admin/bull-board.js";
import { loadOrCreateAdminKey, showGeneratedAdminKey } from "./admin-key.js";
import { createApp } from "./app.js";
import { answerClientErrors } from "./client-errors.js";
import { loadApiConfig } from "./config.js";
import { DASHBOARD_PATH } from "./dashboard/links.js";
import { createApiMetrics } from "./metrics.js";

const { config, logger } = bootProcess("api", () => loadApiConfig(process.env));

let adminApiKey = config.adminApiKey;
let adminKeyFile: string | undefined;
if (!adminApiKey) {
  const kept = await loadOrCreateAdminKey(config.dataDir);
  adminApiKey = kept.key;
  adminKeyFile = kept.file;
  // Shown once, on purpose: this is how the operator learns the key. It is not logged, then or later.
  if (kept.created) await showGeneratedAdminKey(kept);
  else logger.info({ file: kept.file }, "using the admin key kept in the data folder");
}

const db = createPrismaClient(config.databaseUrl, { timeouts: config.databaseTimeouts });
const lookups = new ProjectLookups(db);
lookups.listen(config.databaseUrl, logger);
const redis = createRedisConnection(config.redis, "producer", logger);
const deliveryQueues = openDeliveryQueues(redis, config.queueTopology, (error) =>
  logger.debug({ err: error.message }, "queue error"),
);
const queues = openServiceQueues(redis, config.queueTopology);

const metrics = createApiMetrics({ queues, readers: serviceGaugeReaders(db) });
const app = createApp({
  config,
  db,
  deliveryQueues,
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
    deliveryQueues,
    logger,
    onStored: (count) => metrics.eventsIngested.inc(count),
  }),
});

// Not awaited: a warning about a shared QUEUE_PREFIX, once both backends answer.
databaseIdentity(db)
  .then((identity) => claimQueuePrefix(redis, config.queuePrefix, identity, logger))
  .then(() => recordQueueLayout(redis, config.queueTopology, logger))
  .catch(() => undefined);

const server = app.listen(config.port, () => {
  logger.info({ port: config.port }, "api listening");
  // For `npm start`'s banner (scripts/start-banner.js); no-op without an IPC channel. The callback makes a
  // channel closed meanwhile (the supervisor was killed) no crash.
  process.send?.(
    {
      hookrelay: "listening",
      app: "api",
      port: (server.address() as AddressInfo).port,
      paths: { dashboard: DASHBOARD_PATH, bullBoard: BULL_BOARD_PATH },
      dataDir: config.dataDir,
      adminKeyFile,
    },
    () => undefined,
  );
});
answerClientErrors(server);

// How long requests in flight may take to finish after SIGTERM before their connections are cut.
const SHUTDOWN_GRACE_MS = 10_000;

onShutdownSignal(async (signal) => {
  logger.info({ signal }, "api shutting down: finishing in-flight requests");
  await closeHttpServer(server, SHUTDOWN_GRACE_MS);
  // Disconnect first: closing a queue whose Redis is unreachable would wait for a connection.
  redis.disconnect();
  await Promise.all(
    [...deliveryQueues.shards, ...queues.map(({ queue }) => queue)].map((queue) => queue.close()),
  );
  await lookups.close();
  await db.$disconnect();
});
