import { once } from "node:events";
import type http from "node:http";
import type { AddressInfo } from "node:net";
import { answerClientErrors, createApiMetrics, createApp, loadApiConfig } from "@hookrelay/api";
import { createPrismaClient, type Database } from "@hookrelay/db";
import {
  AttemptRecorder,
  DispatcherMetrics,
  EndpointRateLimiter,
  loadDispatcherConfig,
  scheduleOutboxSweep,
  startCapture,
  startDeliveryWorker,
  startHealthServer,
} from "@hookrelay/dispatcher";
import { EventIngest, ProjectLookups } from "@hookrelay/ingest";
import {
  createLogger,
  createRedisConnection,
  DELIVERY_QUEUE,
  openServiceQueues,
  type Resolver,
  SecretBox,
  WebhookHttpClient,
} from "@hookrelay/shared";
import { Queue, type Worker } from "bullmq";
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
  queue: Queue;
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

  const producer = createRedisConnection(apiConfig.redisUrl, "producer", logger);
  const queue = new Queue(DELIVERY_QUEUE, { connection: producer, prefix: apiConfig.queuePrefix });
  queue.on("error", () => undefined);
  const apiQueues = openServiceQueues(producer, apiConfig.queuePrefix);
  const apiWebhookClient = new WebhookHttpClient({
    allowPrivateTargets: apiConfig.allowPrivateTargets,
    resolve,
  });
  const apiMetrics = createApiMetrics({ queues: apiQueues, db });
  const app = createApp({
    config: apiConfig,
    db,
    deliveryQueue: queue,
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
      deliveryQueue: queue,
      logger,
      onStored: (count) => apiMetrics.eventsIngested.inc(count),
    }),
  });
  const server: http.Server = await new Promise((resolve) => {
    const listening = app.listen(0, "127.0.0.1", () => resolve(listening));
  });
  answerClientErrors(server);
  const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  let worker: Worker | undefined;
  let workerConnection: ReturnType<typeof createRedisConnection> | undefined;
  let httpClient: WebhookHttpClient | undefined;
  let stopSweep: (() => Promise<void>) | undefined;
  let stopCapture: (() => Promise<void>) | undefined;
  let sweepQueue: Queue | undefined;
  let recorder: AttemptRecorder | undefined;
  let dispatcherQueues: Queue[] = [];
  let healthServer: http.Server | undefined;
  let dispatcherUrl: string | undefined;
  if (dispatcher) {
    const config = loadDispatcherConfig(fullEnv);
    httpClient = new WebhookHttpClient({ allowPrivateTargets: config.allowPrivateTargets, resolve });
    const connection = createRedisConnection(config.redisUrl, "worker", logger);
    workerConnection = connection;
    const rateLimiter = new EndpointRateLimiter(workerConnection, config.queuePrefix);
    recorder = new AttemptRecorder(db);
    dispatcherQueues = openServiceQueues(connection, config.queuePrefix);
    const metrics = new DispatcherMetrics({ queues: dispatcherQueues, db });
    worker = startDeliveryWorker(
      { config, db, http: httpClient, secretBox, logger, rateLimiter, recorder, metrics },
      workerConnection,
    );
    healthServer = startHealthServer(
      0,
      { postgres: () => db.$queryRaw`SELECT 1`, redis: () => connection.ping() },
      { metrics: metrics.registry, host: "127.0.0.1" },
    );
    await once(healthServer, "listening");
    dispatcherUrl = `http://127.0.0.1:${(healthServer.address() as AddressInfo).port}`;
    if (capture) stopCapture = startCapture({ config, db, deliveryQueue: queue, secretBox, logger, metrics });
    stopSweep = scheduleOutboxSweep(
      { db, queue, redis: connection, logger, graceMs: config.outboxSweepIntervalMs },
      config.outboxSweepIntervalMs,
    );
  }

  return {
    apiUrl,
    dispatcherUrl,
    env: fullEnv,
    db,
    queue,
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
      await worker?.close(true);
      await recorder?.close();
      healthServer?.closeAllConnections();
      healthServer?.close();
      await sweepQueue?.obliterate({ force: true }).catch(() => undefined);
      await sweepQueue?.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      if (producer.status === "ready") await queue.obliterate({ force: true }).catch(() => undefined);
      // Disconnect first: closing a queue whose Redis is unreachable waits for a connection otherwise.
      producer.disconnect();
      await queue.close();
      workerConnection?.disconnect();
      await Promise.all([...apiQueues, ...dispatcherQueues].map((monitored) => monitored.close()));
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
