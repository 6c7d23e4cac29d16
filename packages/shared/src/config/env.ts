import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { parseDuration, parseDurationList } from "../duration.js";
import type { QueueTopology } from "../queue-topology.js";
import { parseRedisNodes, type RedisTarget } from "../redis.js";
import { DEFAULT_DATABASE_URL, DEFAULT_QUEUE_PREFIX, DEFAULT_REDIS_URL } from "./defaults.js";

// Building blocks for each app's config module. Each app owns one zod schema over the environment; the
// pieces both apps read are defined once here.

const booleanText = z
  .enum(["true", "false", "1", "0"], { message: "must be true or false" })
  .transform((text) => text === "true" || text === "1");

/** A string variable turned into a value by `parse`, whose thrown message becomes the config error. */
function parsedBy<T>(parse: (text: string) => T) {
  return z.string().transform((text, ctx) => {
    try {
      return parse(text);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: (error as Error).message });
      return z.NEVER;
    }
  });
}

export const duration = parsedBy(parseDuration);
const redisNodes = parsedBy(parseRedisNodes).refine((nodes) => nodes.length > 0, "must list host:port");
export const durationList = parsedBy(parseDurationList);

export const port = (fallback: number) => z.coerce.number().int().min(0).max(65_535).default(fallback);
export const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const secretsKey = z
  .string()
  .refine((text) => Buffer.from(text, "base64").length === 32, "must be 32 bytes, base64-encoded")
  .transform((text) => Buffer.from(text, "base64"));

/** The repository's own `.data` folder, wherever the process was started from. */
export const DEFAULT_DATA_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../../../.data",
);

// A fixed, public key so development needs no setup; every process warns loudly when it is in use and
// production refuses to start with it (see commonEnv's superRefine in each app).
export const DEVELOPMENT_SECRETS_KEY = Buffer.alloc(32, "hookrelay-development-only-key!!");

export const commonEnvShape = {
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgresql:// URL")
    .default(DEFAULT_DATABASE_URL),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "must be a redis:// URL")
    .default(DEFAULT_REDIS_URL),
  REDIS_CLUSTER_NODES: redisNodes.optional(),
  REDIS_SENTINELS: redisNodes.optional(),
  REDIS_SENTINEL_MASTER: z.string().max(200).optional(),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .default(DEFAULT_QUEUE_PREFIX),
  QUEUE_SHARDS: z.coerce.number().int().min(1).max(64).default(1),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  LOG_FORMAT: z.enum(["json", "pretty"]).optional(),
  SECRETS_KEY: secretsKey.optional(),
  ALLOW_PRIVATE_TARGETS: booleanText.optional(),
  DELIVERY_TIMEOUT_MS: positiveInt(20_000),
  DATA_DIR: z.string().default(DEFAULT_DATA_DIR),
  MAX_PAYLOAD_BYTES: positiveInt(262_144),
  // Bounds on every connection to hookrelay's own PostgreSQL.
  DATABASE_CONNECT_TIMEOUT: duration.prefault("5s"),
  DATABASE_STATEMENT_TIMEOUT: duration.prefault("15s"),
  // Bounds on every connection to a database change source (the api installs, the dispatcher captures).
  SOURCE_CONNECT_TIMEOUT: duration.prefault("5s"),
  SOURCE_STATEMENT_TIMEOUT: duration.prefault("10s"),
};

const commonEnvSchema = z.object(commonEnvShape);
type CommonEnv = z.infer<typeof commonEnvSchema>;

export interface CommonConfig {
  nodeEnv: CommonEnv["NODE_ENV"];
  databaseUrl: string;
  /** REDIS_URL: the server, or (with a cluster or sentinels) the credentials. */
  redisUrl: string;
  redis: RedisTarget;
  queuePrefix: string;
  /** Where the queues live: QUEUE_PREFIX, QUEUE_SHARDS, and whether keys must be hash-tagged. */
  queueTopology: QueueTopology;
  logLevel: CommonEnv["LOG_LEVEL"];
  /** LOG_FORMAT; unset: pretty when stdout is a terminal, JSON otherwise (see resolveLogFormat). */
  logFormat: CommonEnv["LOG_FORMAT"];
  secretsKey: Buffer;
  usingDevelopmentSecretsKey: boolean;
  allowPrivateTargets: boolean;
  deliveryTimeoutMs: number;
  dataDir: string;
  /** Largest event body (REST) or envelope (captured change). */
  maxPayloadBytes: number;
  sourceTimeouts: { connectMs: number; statementMs: number };
  databaseTimeouts: { connectMs: number; statementMs: number };
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

function redisTarget(env: CommonEnv): RedisTarget {
  if (env.REDIS_CLUSTER_NODES && env.REDIS_SENTINELS) {
    throw new ConfigError("REDIS_CLUSTER_NODES: set either it or REDIS_SENTINELS, not both");
  }
  if (env.REDIS_CLUSTER_NODES) return { mode: "cluster", nodes: env.REDIS_CLUSTER_NODES, url: env.REDIS_URL };
  if (env.REDIS_SENTINELS) {
    if (!env.REDIS_SENTINEL_MASTER) {
      throw new ConfigError(
        "REDIS_SENTINEL_MASTER: required with REDIS_SENTINELS (the monitored master's name)",
      );
    }
    return {
      mode: "sentinel",
      sentinels: env.REDIS_SENTINELS,
      master: env.REDIS_SENTINEL_MASTER,
      url: env.REDIS_URL,
    };
  }
  if (env.REDIS_SENTINEL_MASTER)
    throw new ConfigError("REDIS_SENTINELS: required with REDIS_SENTINEL_MASTER");
  return { mode: "standalone", url: env.REDIS_URL };
}

/** Resolves the shared variables; throws ConfigError naming the variable when a rule is broken. */
export function commonConfig(env: CommonEnv): CommonConfig {
  const production = env.NODE_ENV === "production";
  if (production && !env.SECRETS_KEY) {
    throw new ConfigError("SECRETS_KEY: required when NODE_ENV=production (32 random bytes, base64)");
  }
  const redis = redisTarget(env);
  return {
    nodeEnv: env.NODE_ENV,
    databaseUrl: env.DATABASE_URL,
    redisUrl: env.REDIS_URL,
    redis,
    queuePrefix: env.QUEUE_PREFIX,
    queueTopology: { prefix: env.QUEUE_PREFIX, shards: env.QUEUE_SHARDS, cluster: redis.mode === "cluster" },
    logLevel: env.LOG_LEVEL,
    logFormat: env.LOG_FORMAT,
    secretsKey: env.SECRETS_KEY ?? DEVELOPMENT_SECRETS_KEY,
    usingDevelopmentSecretsKey: !env.SECRETS_KEY,
    allowPrivateTargets: env.ALLOW_PRIVATE_TARGETS ?? !production,
    deliveryTimeoutMs: env.DELIVERY_TIMEOUT_MS,
    dataDir: path.resolve(env.DATA_DIR),
    maxPayloadBytes: env.MAX_PAYLOAD_BYTES,
    sourceTimeouts: { connectMs: env.SOURCE_CONNECT_TIMEOUT, statementMs: env.SOURCE_STATEMENT_TIMEOUT },
    databaseTimeouts: {
      connectMs: env.DATABASE_CONNECT_TIMEOUT,
      statementMs: env.DATABASE_STATEMENT_TIMEOUT,
    },
  };
}

/**
 * Parses `env` with an app's schema and turns the first problem into one line naming the variable, e.g.
 * `RETRY_SCHEDULE: "5x" is not a duration`. Treats empty strings as unset, as shells often export them.
 */
export function parseEnv<Schema extends z.ZodType>(
  schema: Schema,
  env: Record<string, string | undefined>,
): z.infer<Schema> {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ""),
  );
  const result = schema.safeParse(present);
  if (!result.success) {
    const issue = result.error.issues[0];
    const name = issue?.path.join(".") || "environment";
    throw new ConfigError(`${name}: ${issue?.message ?? "invalid"}`);
  }
  return result.data;
}
