import { randomBytes } from "node:crypto";
import { ConfigError } from "@hookrelay/shared";
import { loadDispatcherConfig } from "./config.js";

// Every test passes its own env object: the loader must never read process.env.
const productionKey = randomBytes(32).toString("base64");

function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadDispatcherConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}

describe("loadDispatcherConfig", () => {
  it("defaults to the SPEC's values", () => {
    expect(loadDispatcherConfig({})).toMatchObject({
      port: 3001,
      retrySchedule: [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000],
      retryMaxAgeMs: 14 * 86_400_000,
      deliveryTimeoutMs: 20_000,
      concurrency: 100,
      webhookConcurrency: 20,
      logLevel: "info",
      nodeEnv: "development",
      allowPrivateTargets: true,
      usingDevelopmentSecretsKey: true,
      autoDisableAfterMs: 5 * 86_400_000,
      retentionMs: 30 * 86_400_000,
      retentionIntervalMs: 3_600_000,
      databaseUrl: "postgresql://postgres@127.0.0.1:5432/hookrelay",
      redisUrl: "redis://127.0.0.1:6379",
    });
  });

  it("reads every variable it is given", () => {
    expect(
      loadDispatcherConfig({
        DISPATCHER_PORT: "4001",
        RETRY_SCHEDULE: "1s,1s",
        RETRY_MAX_AGE: "30s",
        DELIVERY_TIMEOUT_MS: "1500",
        DISPATCHER_CONCURRENCY: "7",
        WEBHOOK_CONCURRENCY: "3",
        LOG_LEVEL: "debug",
        DATABASE_URL: "postgres://db.internal:5432/hooks",
        REDIS_URL: "rediss://cache.internal:6380",
      }),
    ).toMatchObject({
      port: 4001,
      retrySchedule: [1_000, 1_000],
      retryMaxAgeMs: 30_000,
      deliveryTimeoutMs: 1_500,
      concurrency: 7,
      webhookConcurrency: 3,
      logLevel: "debug",
      databaseUrl: "postgres://db.internal:5432/hooks",
      redisUrl: "rediss://cache.internal:6380",
      redis: { mode: "standalone", url: "rediss://cache.internal:6380" },
      queueTopology: { prefix: "hookrelay", shards: 1, cluster: false },
    });
  });

  it("reads RETENTION_DAYS (fractions allowed) and RETENTION_INTERVAL, and refuses nonsense", () => {
    expect(loadDispatcherConfig({ RETENTION_DAYS: "0.5", RETENTION_INTERVAL: "10m" })).toMatchObject({
      retentionMs: 12 * 3_600_000,
      retentionIntervalMs: 600_000,
    });
    for (const bad of ["0", "-1", "soon"]) {
      expect(configError({ RETENTION_DAYS: bad }).message).toMatch(/^RETENTION_DAYS: /);
    }
    expect(configError({ RETENTION_INTERVAL: "often" }).message).toMatch(/^RETENTION_INTERVAL: /);
  });

  it("reads the database source settings, with defaults, and refuses nonsense", () => {
    expect(loadDispatcherConfig({})).toMatchObject({
      capturePollIntervalMs: 1_000,
      captureBatchSize: 500,
      sourceBacklogIntervalMs: 5_000,
      maxPayloadBytes: 262_144,
      sourceTimeouts: { connectMs: 5_000, statementMs: 10_000 },
    });
    expect(
      loadDispatcherConfig({
        CAPTURE_POLL_INTERVAL: "200ms",
        CAPTURE_BATCH_SIZE: "50",
        SOURCE_BACKLOG_INTERVAL: "1m",
        SOURCE_CONNECT_TIMEOUT: "1s",
        SOURCE_STATEMENT_TIMEOUT: "2s",
        MAX_PAYLOAD_BYTES: "4096",
      }),
    ).toMatchObject({
      capturePollIntervalMs: 200,
      captureBatchSize: 50,
      sourceBacklogIntervalMs: 60_000,
      maxPayloadBytes: 4_096,
      sourceTimeouts: { connectMs: 1_000, statementMs: 2_000 },
    });
    expect(configError({ CAPTURE_POLL_INTERVAL: "often" }).message).toMatch(/^CAPTURE_POLL_INTERVAL: /);
    expect(configError({ CAPTURE_BATCH_SIZE: "0" }).message).toMatch(/^CAPTURE_BATCH_SIZE: /);
    expect(configError({ SOURCE_STATEMENT_TIMEOUT: "-1s" }).message).toMatch(/^SOURCE_STATEMENT_TIMEOUT: /);
  });

  it("reads a Redis Cluster or Sentinel setup (credentials from REDIS_URL) and QUEUE_SHARDS", () => {
    expect(
      loadDispatcherConfig({
        REDIS_CLUSTER_NODES: "10.0.0.1:7000, redis-2.internal:7001,[::1]:7002",
        REDIS_URL: "redis://:pw@ignored:6379",
        QUEUE_SHARDS: "4",
        QUEUE_PREFIX: "hr",
      }),
    ).toMatchObject({
      redis: {
        mode: "cluster",
        nodes: [
          { host: "10.0.0.1", port: 7000 },
          { host: "redis-2.internal", port: 7001 },
          { host: "::1", port: 7002 },
        ],
        url: "redis://:pw@ignored:6379",
      },
      queueTopology: { prefix: "hr", shards: 4, cluster: true },
    });
    expect(
      loadDispatcherConfig({ REDIS_SENTINELS: "s1:26379,s2:26379", REDIS_SENTINEL_MASTER: "mymaster" }),
    ).toMatchObject({
      redis: {
        mode: "sentinel",
        sentinels: [
          { host: "s1", port: 26379 },
          { host: "s2", port: 26379 },
        ],
        master: "mymaster",
      },
      queueTopology: { shards: 1, cluster: false },
    });
  });

  it("treats empty variables as unset", () => {
    expect(loadDispatcherConfig({ RETRY_SCHEDULE: "", DISPATCHER_PORT: "" })).toMatchObject({
      port: 3001,
      retrySchedule: [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000],
    });
  });

  it("allows private targets outside production and blocks them in production unless told", () => {
    expect(loadDispatcherConfig({ NODE_ENV: "test" }).allowPrivateTargets).toBe(true);
    expect(
      loadDispatcherConfig({ NODE_ENV: "production", SECRETS_KEY: productionKey }).allowPrivateTargets,
    ).toBe(false);
    expect(
      loadDispatcherConfig({
        NODE_ENV: "production",
        SECRETS_KEY: productionKey,
        ALLOW_PRIVATE_TARGETS: "true",
      }).allowPrivateTargets,
    ).toBe(true);
    expect(loadDispatcherConfig({ ALLOW_PRIVATE_TARGETS: "false" }).allowPrivateTargets).toBe(false);
  });

  it("takes a SECRETS_KEY that is base64 of 32 bytes", () => {
    const key = randomBytes(32);
    const config = loadDispatcherConfig({ NODE_ENV: "production", SECRETS_KEY: key.toString("base64") });
    expect(config.secretsKey.equals(key)).toBe(true);
    expect(config.usingDevelopmentSecretsKey).toBe(false);
  });

  it("requires SECRETS_KEY in production", () => {
    const error = configError({ NODE_ENV: "production" });
    expect(error.message).toMatch(/^SECRETS_KEY: /);
    expect(error.message).toContain("NODE_ENV=production");
  });

  it.each([
    ["RETRY_SCHEDULE", { RETRY_SCHEDULE: "5x" }],
    ["RETRY_SCHEDULE", { RETRY_SCHEDULE: "0s" }],
    ["RETRY_SCHEDULE", { RETRY_SCHEDULE: "1s,,1s" }],
    ["RETRY_MAX_AGE", { RETRY_MAX_AGE: "forever" }],
    ["DISPATCHER_CONCURRENCY", { DISPATCHER_CONCURRENCY: "0" }],
    ["DISPATCHER_CONCURRENCY", { DISPATCHER_CONCURRENCY: "1.5" }],
    ["WEBHOOK_CONCURRENCY", { WEBHOOK_CONCURRENCY: "0" }],
    ["DISPATCHER_PORT", { DISPATCHER_PORT: "70000" }],
    ["DISPATCHER_PORT", { DISPATCHER_PORT: "http" }],
    ["DELIVERY_TIMEOUT_MS", { DELIVERY_TIMEOUT_MS: "-5" }],
    ["DATABASE_URL", { DATABASE_URL: "mysql://localhost/db" }],
    ["REDIS_URL", { REDIS_URL: "localhost:6379" }],
    ["REDIS_CLUSTER_NODES", { REDIS_CLUSTER_NODES: "10.0.0.1" }],
    [
      "REDIS_CLUSTER_NODES",
      { REDIS_CLUSTER_NODES: "a:1", REDIS_SENTINELS: "b:2", REDIS_SENTINEL_MASTER: "m" },
    ],
    ["REDIS_SENTINELS", { REDIS_SENTINELS: "b:99999", REDIS_SENTINEL_MASTER: "m" }],
    ["REDIS_SENTINEL_MASTER", { REDIS_SENTINELS: "b:26379" }],
    ["REDIS_SENTINELS", { REDIS_SENTINEL_MASTER: "mymaster" }],
    ["QUEUE_SHARDS", { QUEUE_SHARDS: "0" }],
    ["QUEUE_SHARDS", { QUEUE_SHARDS: "1.5" }],
    ["QUEUE_SHARDS", { QUEUE_SHARDS: "65" }],
    ["DISPATCHER_CONCURRENCY", { QUEUE_SHARDS: "8", DISPATCHER_CONCURRENCY: "6" }],
    ["LOG_LEVEL", { LOG_LEVEL: "loud" }],
    ["NODE_ENV", { NODE_ENV: "staging" }],
    ["ALLOW_PRIVATE_TARGETS", { ALLOW_PRIVATE_TARGETS: "maybe" }],
    ["SECRETS_KEY", { SECRETS_KEY: randomBytes(16).toString("base64") }],
    ["SECRETS_KEY", { SECRETS_KEY: randomBytes(33).toString("base64") }],
    ["SECRETS_KEY", { NODE_ENV: "production" }],
  ])("throws a ConfigError naming %s for %j", (name, env) => {
    const error = configError(env);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message.startsWith(`${name}: `)).toBe(true);
  });

  it("quotes the offending duration in the message", () => {
    expect(configError({ RETRY_SCHEDULE: "5x" }).message).toBe(
      'RETRY_SCHEDULE: "5x" is not a duration (use e.g. 500ms, 5s, 5m, 2h, 14d)',
    );
  });
});
