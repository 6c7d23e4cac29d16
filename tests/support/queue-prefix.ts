import { randomBytes } from "node:crypto";
import { createLogger, createRedisConnection, DEFAULT_REDIS_URL } from "@hookrelay/shared";

type Redis = ReturnType<typeof createRedisConnection>;

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
  const redis = createRedisConnection(redisUrl, "producer", createLogger("test", "silent"));
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

/**
 * Deletes every key under `prefix:` (queues, job schedulers, the installation claim, rate-limit counters)
 * and answers how many there were. For tests that started processes on their own prefix: nothing they
 * wrote is left in the shared Redis.
 */
export async function deleteQueuePrefix(prefix: string, redisUrl = testRedisUrl()): Promise<number> {
  if (!/^[\w-]+$/.test(prefix)) throw new Error(`not a test queue prefix: ${prefix}`);
  const redis = await connect(redisUrl);
  let deleted = 0;
  try {
    let cursor = "0";
    // Bounded: a prefix of a test holds thousands of keys at most.
    for (let rounds = 0; rounds < 10_000; rounds++) {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1_000);
      if (keys.length > 0) deleted += await redis.del(...keys);
      cursor = next;
      if (cursor === "0") return deleted;
    }
    throw new Error(`SCAN of ${prefix}:* did not finish`);
  } finally {
    redis.disconnect();
  }
}

/** How many keys are under `prefix:` (to show a cleanup left nothing). */
export async function countQueuePrefixKeys(prefix: string, redisUrl = testRedisUrl()): Promise<number> {
  const redis = await connect(redisUrl);
  try {
    let cursor = "0";
    let count = 0;
    for (let rounds = 0; rounds < 10_000; rounds++) {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1_000);
      count += keys.length;
      cursor = next;
      if (cursor === "0") return count;
    }
    throw new Error(`SCAN of ${prefix}:* did not finish`);
  } finally {
    redis.disconnect();
  }
}
