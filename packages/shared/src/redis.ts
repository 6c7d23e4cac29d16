import { Redis } from "ioredis";
import type { Logger } from "./logger.js";

const ERROR_LOG_INTERVAL_MS = 10_000;

/**
 * Redis connections as BullMQ's production guide asks for them. A producer fails fast while Redis is down
 * (`enableOfflineQueue: false`), which lets the api answer 202 from the outbox instead of hanging; a
 * worker waits and retries forever (`maxRetriesPerRequest: null`). Errors are logged at most every 10 s.
 */
export function createRedisConnection(url: string, role: "producer" | "worker", logger: Logger): Redis {
  const redis = new Redis(url, {
    lazyConnect: false,
    maxRetriesPerRequest: role === "worker" ? null : 1,
    enableOfflineQueue: role === "worker",
    retryStrategy: (times) => Math.min(times * 200, 2_000),
  });
  let lastLogged = 0;
  redis.on("error", (error) => {
    if (Date.now() - lastLogged < ERROR_LOG_INTERVAL_MS) return;
    lastLogged = Date.now();
    logger.warn({ err: error.message }, "redis connection error");
  });
  return redis;
}
