import type { Redis } from "ioredis";
import type { Logger } from "./logger.js";

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
