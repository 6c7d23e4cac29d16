import type { Redis } from "ioredis";
import type { Logger } from "./logger.js";
import type { QueueTopology } from "./queue-topology.js";
import type { RedisClient } from "./redis.js";

/**
 * Two installs that share a Redis and a QUEUE_PREFIX take each other's jobs (and a job whose delivery is
 * not in this install's database is skipped as done): nothing BullMQ itself would notice. Each process
 * records which database the prefix belongs to and says so loudly when another database already owns
 * it. Returns whether this install owns the prefix (false only when another one does).
 */
export async function claimQueuePrefix(
  redis: Pick<Redis, "set" | "get">,
  prefix: string,
  databaseIdentity: string,
  logger: Logger,
): Promise<boolean> {
  const key = `${prefix}:installation`;
  await redis.set(key, databaseIdentity, "NX");
  const owner = await redis.get(key);
  if (owner === null || owner === databaseIdentity) return true;
  logger.error(
    { queuePrefix: prefix, thisDatabase: databaseIdentity, otherDatabase: owner },
    `another hookrelay install (database ${owner}) uses this Redis with QUEUE_PREFIX=${prefix}: the two take ` +
      "each other's jobs; give each install its own QUEUE_PREFIX (or its own Redis)",
  );
  return false;
}

/**
 * Every process of an install must agree on QUEUE_SHARDS: an api that enqueues into a layout no dispatcher
 * works delays each delivery until the outbox sweep's overdue check moves it (30 s). Each process records
 * its layout at start and says so loudly when the one recorded before differs (a change being rolled out,
 * or a process left with the old value). Returns the layout recorded before, if any.
 */
export async function recordQueueLayout(
  redis: Pick<RedisClient, "set">,
  topology: QueueTopology,
  logger: Logger,
): Promise<string | null> {
  const layout = String(topology.shards);
  const before = await redis.set(`${topology.prefix}:queue-shards`, layout, "GET");
  if (before !== null && before !== layout) {
    logger.warn(
      { queueShards: topology.shards, before: Number(before) },
      `QUEUE_SHARDS was ${before} in the process that started before this one (${layout} here): every api and ` +
        "dispatcher of an install must use the same value, or deliveries wait for the outbox sweep",
    );
  }
  return before;
}
