import { once } from "node:events";
import type http from "node:http";
import type { AddressInfo } from "node:net";
import { answerClientErrors, createApiMetrics, createApp, loadApiConfig } from "@hookrelay/api";
import { createPrismaClient, type Database, pingDatabase, serviceGaugeReaders } from "@hookrelay/db";
import {
  AttemptRecorder,
  DispatcherMetrics,
  EndpointRateLimiter,
  loadDispatcherConfig,
  scheduleOutboxSweep,
  startDeliveryWorkers,
  startDispatcherIngest,
  startHealthServer,
} from "@hookrelay/dispatcher";
import { EventIngest, ProjectLookups } from "@hookrelay/ingest";
import {
  createLogger,
  createRedisConnection,
  type DeliveryQueues,
  type MonitoredQueue,
  openDeliveryQueues,
  openServiceQueues,
  type Resolver,
  SecretBox,
  WebhookHttpClient,
} from "@hookrelay/shared";
import type { Queue, Worker } from "bullmq";
import { createTestDatabase } from "./database.js";
import { deleteQueuePrefix, testRedisUrl, uniqueQueuePrefix } from "./queue-prefix.js";

export const ADMIN_KEY = "test-admin-key-0123456789";

export interface Stack {
  apiUrl: string;
  /** The in-process dispatcher's /healthz, /readyz and /metrics server (unset without a dispatcher). */
  dispatcherUrl?: string;
  /** The environment both apps were configured from (database, queue prefix, …), for spawning more. */
  env: Record<string, string>;
  db: Database;
  /** The delivery queue (the first shard; tests run one unless they set QUEUE_SHARDS). */
  queue: Queue;
  /** Every delivery shard. */
  queues: DeliveryQueues<Queue>;
  /** Calls the api with a bearer key and a JSON body; returns status and parsed JSON. */
  call: (
    method: string,
    path: string,
    options?: { key?: string; body?: unknown; headers?: Record<string, string> },
  ) => Promise<{ status: number; body: any }>;
  stop: () => Promise<void>;
}

/**
 * The api and one dispatcher worker in this process, against the real Redis (a unique queue prefix) and a
 * fresh PostgreSQL database. `env` overrides the SPEC's variables, e.g. RETRY_SCHEDULE=1s,1s.
 */
export interface StackOptions {
  /** false: the api only, no worker. */
  dispatcher?: boolean;
  /** The dispatcher's DNS (to simulate rebinding). */
  resolve?: Resolver;
  /** Variables for the api only (e.g. a dead REDIS_URL). */
  apiEnv?: Record<string, string>;
  /**
   * false: the dispatcher does not capture database sources (for tests that insert made-up source rows,
   * which a capture would try to reach and mark in error).
   */
  capture?: boolean;
}

export async function startStack(
  env: Record<string, string> = {},
  { dispatcher = true, resolve, apiEnv = {}, capture = true }: StackOptions = {},
): Promise<Stack> {
  const database = await createTestDatabase();
  const fullEnv = {
    DATABASE_URL: database.url,
    REDIS_URL: testRedisUrl(),
    QUEUE_PREFIX: uniqueQueuePrefix(),
    ADMIN_API_KEY: ADMIN_KEY,
    LOG_LEVEL: process.env.LOG_LEVEL ?? "silent",
    ...env,
  };
  const apiConfig = loadApiConfig({ ...fullEnv, ...apiEnv });
  const logger = createLogger("test", apiConfig.logLevel);
  const db = createPrismaClient(database.url);
  // Prisma loads its query compiler (WASM, a dynamic import) on the first query. Jest refuses imports once
  // the hook that started the stack has returned, so the first query happens here, not in a background
  // loop (the capture supervisor's first poll) that may outlive the hook.
  await db.$queryRaw`SELECT 1`;
  const secretBox = new SecretBox(apiConfig.secretsKey);
  const lookups = new ProjectLookups(db);
  lookups.listen(database.url, logger);

  const producer = createRedisConnection(apiConfig.redis, "producer", logger);
  const queues = openDeliveryQueues(producer, apiConfig.queueTopology, () => undefined);
  const [queue] = queues.shards;
  if (!queue) throw new Error("no delivery queue");
  const apiQueues = openServiceQueues(producer, apiConfig.queueTopology);
  const apiWebhookClient = new WebhookHttpClient({
    allowPrivateTargets: apiConfig.allowPrivateTargets,
    resolve,
  });
  const apiMetrics = createApiMetrics({ queues: apiQueues, readers: serviceGaugeReaders(db) });
  const app = createApp({
    config: apiConfig,
    db,
    deliveryQueues: queues,
    secretBox,
    webhookClient: apiWebhookClient,
    logger,
    adminApiKey: ADMIN_KEY,
    pingRedis: () => producer.ping(),
    lookups,
    queues: apiQueues,
    metrics: apiMetrics,
    ingest: new EventIngest({
      db,
      lookups,
      deliveryQueues: queues,
      logger,
      onStored: (count) => apiMetrics.eventsIngested.inc(count),
    }),
  });
  const server: http.Server = await new Promise((resolve) => {
    const listening = app.listen(0, "127.0.0.1", () => resolve(listening));
  });
  answerClientErrors(server);
  const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  let workers: Worker[] = [];
  let workerConnection: ReturnType<typeof createRedisConnection> | undefined;
  let httpClient: WebhookHttpClient | undefined;
  let stopSweep: (() => Promise<void>) | undefined;
  let stopCapture: (() => Promise<void>) | undefined;
  let recorder: AttemptRecorder | undefined;
  let dispatcherQueues: MonitoredQueue[] = [];
  let healthServer: http.Server | undefined;
  let dispatcherUrl: string | undefined;
  if (dispatcher) {
    const config = loadDispatcherConfig(fullEnv);
    httpClient = new WebhookHttpClient({ allowPrivateTargets: config.allowPrivateTargets, resolve });
    const connection = createRedisConnection(config.redis, "worker", logger);
    workerConnection = connection;
    const rateLimiter = new EndpointRateLimiter(workerConnection, config.queueTopology);
    recorder = new AttemptRecorder(db);
    dispatcherQueues = openServiceQueues(connection, config.queueTopology);
    const metrics = new DispatcherMetrics({ queues: dispatcherQueues, readers: serviceGaugeReaders(db) });
    workers = startDeliveryWorkers(
      {
        config,
        db,
        http: httpClient,
        secretBox,
        logger,
        rateLimiter,
        recorder,
        metrics,
        deliveryQueues: queues,
      },
      workerConnection,
    );
    healthServer = startHealthServer(
      0,
      { postgres: () => pingDatabase(db), redis: () => connection.ping() },
      { metrics: metrics.registry, host: "127.0.0.1" },
    );
    await once(healthServer, "listening");
    dispatcherUrl = `http://127.0.0.1:${(healthServer.address() as AddressInfo).port}`;
    stopCapture = startDispatcherIngest(
      { config, db, deliveryQueues: queues, secretBox, logger, metrics },
      { capture },
    );
    stopSweep = scheduleOutboxSweep(
      { db, queues, redis: connection, logger, graceMs: config.outboxSweepIntervalMs },
      config.outboxSweepIntervalMs,
    );
  }

  return {
    apiUrl,
    dispatcherUrl,
    env: fullEnv,
    db,
    queue,
    queues,
    async call(method, path, { key, body, headers } = {}) {
      const response = await fetch(apiUrl + path, {
        method,
        headers: {
          ...(key ? { authorization: `Bearer ${key}` } : {}),
          ...(body !== undefined ? { "content-type": "application/json" } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null };
    },
    async stop() {
      await stopCapture?.();
      await stopSweep?.();
      await Promise.all(workers.map((worker) => worker.close(true)));
      await recorder?.close();
      healthServer?.closeAllConnections();
      healthServer?.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      if (producer.status === "ready") {
        for (const shard of queues.shards) await shard.obliterate({ force: true }).catch(() => undefined);
      }
      // Disconnect first: closing a queue whose Redis is unreachable waits for a connection otherwise.
      producer.disconnect();
      await Promise.all(queues.shards.map((shard) => shard.close()));
      workerConnection?.disconnect();
      await Promise.all([...apiQueues, ...dispatcherQueues].map(({ queue: monitored }) => monitored.close()));
      httpClient?.close();
      apiWebhookClient.close();
      await lookups.close();
      await db.$disconnect();
      await database.drop();
      // What the queues, sweeps and rate limiter left under the prefix (processes spawned with `env` too);
      // nothing to do when the test left Redis unreachable.
      await deleteQueuePrefix(fullEnv.QUEUE_PREFIX).catch(() => undefined);
    },
  };
}
