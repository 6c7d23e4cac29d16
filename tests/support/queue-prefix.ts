import { randomBytes } from "node:crypto";
import { createLogger, createRedisConnection, DEFAULT_REDIS_URL } from "@hookrelay/shared";

import type { Redis } from "ioredis";

/** A QUEUE_PREFIX no other test (nor an install on the same Redis) uses. */
export function uniqueQueuePrefix(tag = "test"): string {
  return `hookrelay-${tag}-${randomBytes(4).toString("hex")}`;
}

/** The Redis the tests run against (the global setup may have started one of its own). */
export function testRedisUrl(): string {
  return process.env.REDIS_URL ?? DEFAULT_REDIS_URL;
}

/** A connection that fails fast (no retries, no offline queue), once it is ready (bounded). */
async function connect(redisUrl: string): Promise<Redis> {
  const redis = createRedisConnection(redisUrl, "producer", createLogger("test", "silent")) as Redis;
  const ready = await new Promise<boolean>((resolve) => {
    if (redis.status === "ready") return resolve(true);
    const timer = setTimeout(() => resolve(false), 5_000);
    redis.once("ready", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
  if (!ready) {
    redis.disconnect();
    throw new Error(`Redis at ${redisUrl} did not answer within 5 s`);
  }
  return redis;
}

/** Key patterns of an install's prefix: plain (`prefix:…`) and hash-tagged shards (`{prefix-…}:…`). */
function prefixPatterns(prefix: string): string[] {
  if (!/^[\w-]+$/.test(prefix)) throw new Error(`not a test queue prefix: ${prefix}`);
  return [`${prefix}:*`, `{${prefix}-*`];
}

/** Calls `visit` with each batch of keys of `prefix`, bounded (a test's prefix holds thousands at most). */
async function scanPrefix(redis: Redis, prefix: string, visit: (keys: string[]) => Promise<unknown>) {
  for (const pattern of prefixPatterns(prefix)) {
    let cursor = "0";
    let rounds = 0;
    do {
      if (++rounds > 10_000) throw new Error(`SCAN of ${pattern} did not finish`);
      const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 1_000);
      if (keys.length > 0) await visit(keys);
      cursor = next;
    } while (cursor !== "0");
  }
}

/**
 * Deletes every key of `prefix` (queues of every shard, job schedulers, the installation claim, rate-limit
 * counters) and answers how many there were. For tests that started processes on their own prefix:
 * nothing they wrote is left in the shared Redis.
 */
export async function deleteQueuePrefix(prefix: string, redisUrl = testRedisUrl()): Promise<number> {
  prefixPatterns(prefix);
  const redis = await connect(redisUrl);
  let deleted = 0;
  try {
    await scanPrefix(redis, prefix, async (keys) => (deleted += await redis.del(...keys)));
    return deleted;
  } finally {
    redis.disconnect();
  }
}

/** How many keys `prefix` has (to show a cleanup left nothing). */
export async function countQueuePrefixKeys(prefix: string, redisUrl = testRedisUrl()): Promise<number> {
  prefixPatterns(prefix);
  const redis = await connect(redisUrl);
  let count = 0;
  try {
    await scanPrefix(redis, prefix, async (keys) => (count += keys.length));
    return count;
  } finally {
    redis.disconnect();
  }
}
