import { randomBytes } from "node:crypto";
import { createPrismaClient, type Database, databaseIdentity } from "@hookrelay/db";
import { claimQueuePrefix, createLogger, createRedisConnection, recordQueueLayout } from "@hookrelay/shared";
import { createTestDatabase, type TestDatabase } from "./support/database.js";
import { startListeningApp } from "./support/processes.js";
import { deleteQueuePrefix } from "./support/queue-prefix.js";
import { eventually } from "./support/receiver.js";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

// Two installs sharing a Redis and a QUEUE_PREFIX take each other's jobs silently (issue 11, item 10):
// each process records which database owns its prefix and logs an error when another one does.
describe("queue prefix ownership", () => {
  const logger = createLogger("test", "silent");
  const redis = createRedisConnection(REDIS_URL, "producer", logger);
  const databases: TestDatabase[] = [];
  const clients: Database[] = [];

  afterAll(async () => {
    redis.disconnect();
    await Promise.all(clients.map((client) => client.$disconnect()));
    await Promise.all(databases.map((database) => database.drop()));
  });

  async function database() {
    const created = await createTestDatabase();
    databases.push(created);
    const client = createPrismaClient(created.url);
    clients.push(client);
    return { ...created, client };
  }

  it("identifies a database the same way from every connection, and two databases apart", async () => {
    const [one, two] = [await database(), await database()];
    const identity = await databaseIdentity(one.client);
    expect(identity).toMatch(/^\d+\/hookrelay_test_/);
    const again = createPrismaClient(one.url);
    clients.push(again);
    expect(await databaseIdentity(again)).toBe(identity);
    expect(await databaseIdentity(two.client)).not.toBe(identity);
  });

  it("warns when a process starts with another QUEUE_SHARDS than the one before it", async () => {
    const prefix = `hookrelay-test-${randomBytes(4).toString("hex")}`;
    const warnings: unknown[][] = [];
    const recording = Object.assign(createLogger("test", "silent"), {
      warn: (...args: unknown[]) => warnings.push(args),
    });
    const layout = (shards: number) => ({ prefix, shards, cluster: false });
    try {
      expect(await recordQueueLayout(redis, layout(3), recording)).toBeNull();
      expect(await recordQueueLayout(redis, layout(3), recording)).toBe("3");
      expect(warnings).toHaveLength(0);
      expect(await recordQueueLayout(redis, layout(2), recording)).toBe("3");
      expect(warnings).toHaveLength(1);
      expect(JSON.stringify(warnings[0])).toContain("QUEUE_SHARDS was 3");
    } finally {
      await redis.del(`${prefix}:queue-shards`);
    }
  });

  it("keeps quiet for the owner and says so loudly for another install on the same prefix", async () => {
    const prefix = `hookrelay-test-${randomBytes(4).toString("hex")}`;
    const errors: unknown[][] = [];
    const recording = Object.assign(createLogger("test", "silent"), {
      error: (...args: unknown[]) => errors.push(args),
    });
    try {
      expect(await claimQueuePrefix(redis, prefix, "1/first", recording)).toBe(true);
      expect(await claimQueuePrefix(redis, prefix, "1/first", recording)).toBe(true);
      expect(errors).toHaveLength(0);
      expect(await claimQueuePrefix(redis, prefix, "2/second", recording)).toBe(false);
      expect(errors).toHaveLength(1);
      expect(JSON.stringify(errors[0])).toContain(`QUEUE_PREFIX=${prefix}`);
    } finally {
      await redis.del(`${prefix}:installation`);
    }
  });

  it("the built dispatcher logs the clash at start", async () => {
    const prefix = `hookrelay-test-${randomBytes(4).toString("hex")}`;
    const own = await database();
    await redis.set(`${prefix}:installation`, "1/another-install");
    const dispatcher = await startListeningApp("dispatcher", {
      DATABASE_URL: own.url,
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: "error",
    }).catch(async (error) => {
      await deleteQueuePrefix(prefix);
      throw error;
    });
    try {
      await eventually(
        async () => dispatcher.output().includes("another hookrelay install") || undefined,
        15_000,
      );
      expect(dispatcher.output()).toContain(`QUEUE_PREFIX=${prefix}`);
    } finally {
      dispatcher.child.kill("SIGTERM");
      await dispatcher.exited;
      await deleteQueuePrefix(prefix);
    }
  });
});
