import { Cluster, Redis, type RedisOptions } from "ioredis";
import type { Logger } from "./logger.js";

const ERROR_LOG_INTERVAL_MS = 10_000;

export interface RedisNode {
  host: string;
  port: number;
}

/**
 * Where Redis is: one server (`REDIS_URL`), a Redis Cluster (`REDIS_CLUSTER_NODES`, seeds), or a master
 * found through Sentinel (`REDIS_SENTINELS` + `REDIS_SENTINEL_MASTER`). In the last two, `url` still gives
 * the credentials, TLS (`rediss://`) and database number.
 */
export type RedisTarget =
  | { mode: "standalone"; url: string }
  | { mode: "cluster"; nodes: RedisNode[]; url: string }
  | { mode: "sentinel"; sentinels: RedisNode[]; master: string; url: string };

export type RedisClient = Redis | Cluster;

export type RedisRole = "producer" | "worker";

/** `host:port,host:port` → nodes; throws with the offending entry. */
export function parseRedisNodes(text: string): RedisNode[] {
  return text
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0)
    .map((entry) => {
      const match = /^(\[[0-9a-fA-F:.]+\]|[^:\s[\]]+):(\d{1,5})$/.exec(entry);
      const port = Number(match?.[2]);
      if (!match?.[1] || !(port > 0 && port < 65_536)) {
        throw new Error(`"${entry}" is not host:port`);
      }
      return { host: match[1].replace(/^\[|\]$/g, ""), port };
    });
}

/** What a `redis://user:password@host:port/db` URL says besides where the server is. */
function credentialsOf(url: string): Pick<RedisOptions, "username" | "password" | "db" | "tls"> {
  const parsed = new URL(url);
  const db = Number(parsed.pathname.replace(/^\//, "") || "0");
  return {
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(Number.isInteger(db) && db > 0 ? { db } : {}),
    ...(parsed.protocol === "rediss:" ? { tls: {} } : {}),
  };
}

/**
 * Redis connections as BullMQ's production guide asks for them. A producer fails fast while Redis is down
 * (`enableOfflineQueue: false`), which lets the api answer 202 from the outbox instead of hanging; a
 * worker waits and retries forever (`maxRetriesPerRequest: null`). Errors are logged at most every 10 s.
 * A Cluster follows MOVED/ASK and a failover by itself; a Sentinel connection asks the sentinels for the
 * current master on every reconnect, so it follows a failover too.
 */
export function createRedisConnection(
  target: RedisTarget | string,
  role: RedisRole,
  logger: Logger,
): RedisClient {
  const where: RedisTarget = typeof target === "string" ? { mode: "standalone", url: target } : target;
  const options: RedisOptions = {
    lazyConnect: false,
    maxRetriesPerRequest: role === "worker" ? null : 1,
    enableOfflineQueue: role === "worker",
    retryStrategy: (times) => Math.min(times * 200, 2_000),
  };
  const redis = openClient(where, options);
  let lastLogged = 0;
  redis.on("error", (error: Error) => {
    if (Date.now() - lastLogged < ERROR_LOG_INTERVAL_MS) return;
    lastLogged = Date.now();
    logger.warn({ err: error.message, redis: where.mode }, "redis connection error");
  });
  return redis;
}

// After a failover a connection may still reach the old master, now a replica: reconnect and resend.
const reconnectOnReadOnly = (error: Error) => (error.message.startsWith("READONLY") ? 2 : false);

function openClient(where: RedisTarget, options: RedisOptions): RedisClient {
  switch (where.mode) {
    case "standalone":
      return new Redis(where.url, { ...options, reconnectOnError: reconnectOnReadOnly });
    case "sentinel":
      // The sentinels themselves are asked without a password (REDIS_URL's is the master's).
      return new Redis({
        ...options,
        ...credentialsOf(where.url),
        sentinels: where.sentinels,
        name: where.master,
        sentinelRetryStrategy: (times) => Math.min(times * 200, 2_000),
        // Reconnects as soon as the sentinels announce a new master.
        failoverDetector: true,
        reconnectOnError: reconnectOnReadOnly,
      });
    case "cluster": {
      const { db: _db, ...credentials } = credentialsOf(where.url);
      // ioredis sets its own retry and offline queue on the connections to each node; what is ours: the
      // offline queue of the cluster (a producer fails fast), how long a command is retried while a slot
      // has no master (CLUSTERDOWN, a failover: about 16 × 500 ms, after which the caller's own retry — a
      // BullMQ loop, the outbox sweep — takes over), and `maxRetriesPerRequest`, which BullMQ checks.
      return new Cluster(where.nodes, {
        enableOfflineQueue: options.enableOfflineQueue,
        clusterRetryStrategy: (times) => Math.min(times * 200, 2_000),
        retryDelayOnClusterDown: 500,
        retryDelayOnFailover: 500,
        retryDelayOnTryAgain: 500,
        maxRedirections: 16,
        slotsRefreshTimeout: 2_000,
        redisOptions: { maxRetriesPerRequest: options.maxRetriesPerRequest, ...credentials },
      });
    }
  }
}
