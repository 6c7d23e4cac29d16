import { randomBytes } from "node:crypto";
import { createPrismaClient, type Database, deleteExpired } from "@hookrelay/db";
import { RETENTION_JOB, scheduleRetention } from "@hookrelay/dispatcher";
import {
  createLogger,
  createRedisConnection,
  type IdKind,
  idAtTime,
  MAINTENANCE_QUEUE,
} from "@hookrelay/shared";
import { Queue } from "bullmq";
import { createTestDatabase, type TestDatabase } from "./support/database.js";
import { deleteQueuePrefix } from "./support/queue-prefix.js";
import { insertProjectWithWebhook } from "./support/rows.js";

const DAY = 86_400_000;
const ULID_CHARACTERS = "0123456789abcdefghjkmnpqrstvwxyz";

/** An id as if created at `at` (newId keeps ids increasing, so it cannot make one in the past). */
function idFrom(kind: IdKind, at: Date): string {
  const random = [...randomBytes(16)].map((byte) => ULID_CHARACTERS[byte % 32]).join("");
  return idAtTime(kind, at, "start").slice(0, -16) + random;
}
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** Waits up to 10 s for `check` to hold. */
async function eventuallyTrue(check: () => Promise<boolean>): Promise<void> {
  for (let tries = 0; tries < 100; tries++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("condition not met in 10 s");
}

// Retention against real PostgreSQL (and, for the schedule, real Redis): old rows go, in batches, children
// first; what may still be delivered, and what is recent, stays.
describe("retention", () => {
  let database: TestDatabase;
  let db: Database;
  let projectId: string;
  let webhookId: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = createPrismaClient(database.url);
    ({ projectId, webhookId } = await insertProjectWithWebhook(db));
  });

  afterAll(async () => {
    await db?.$disconnect();
    await database?.drop();
  });

  /**
   * An event created `ageDays` ago with one delivery per status given, each with one attempt, committed
   * together (a retention job running meanwhile never sees the event without its deliveries).
   */
  async function event(
    ageDays: number,
    statuses: Array<"pending" | "succeeded" | "failed">,
    deliveryAgeDays = ageDays,
  ) {
    const at = new Date(Date.now() - ageDays * DAY);
    const deliveredAt = new Date(Date.now() - deliveryAgeDays * DAY);
    const eventId = idFrom("event", at);
    const deliveries = statuses.map((status) => ({ id: idFrom("delivery", deliveredAt), status }));
    await db.$transaction([
      db.event.create({
        data: { id: eventId, projectId, eventType: "a.b", data: {}, payload: "{}", createdAt: at },
      }),
      ...deliveries.map(({ id, status }) =>
        db.delivery.create({
          data: { id, projectId, eventId, webhookId, eventType: "a.b", status, createdAt: deliveredAt },
        }),
      ),
      ...deliveries.map(({ id, status }) =>
        db.attempt.create({
          data: {
            id: idFrom("attempt", deliveredAt),
            deliveryId: id,
            attemptNumber: 1,
            statusCode: status === "succeeded" ? 200 : 500,
            latencyMs: 5,
            createdAt: deliveredAt,
          },
        }),
      ),
    ]);
    return eventId;
  }

  const exists = async (eventId: string) => (await db.event.count({ where: { id: eventId } })) === 1;

  it("deletes finished old events with their deliveries and attempts, in batches, and keeps the rest", async () => {
    const old = await Promise.all([
      event(40, ["succeeded"]),
      event(40, ["failed", "succeeded"]),
      event(35, []),
      event(33, ["succeeded"]),
      event(31, ["failed"]),
    ]);
    const stillRetrying = await event(40, ["succeeded", "pending"]);
    const recentReplay = await event(40, ["succeeded"], 1);
    const recent = await event(2, ["succeeded"]);

    // Batches of 2: five deletable events take three statements; all go.
    const counts = await deleteExpired(db, new Date(Date.now() - 30 * DAY), { batchSize: 2 });
    expect(counts).toEqual({ events: 5, deliveries: 5, attempts: 5 });
    for (const id of old) expect(await exists(id)).toBe(false);
    expect(await db.delivery.count({ where: { eventId: { in: old } } })).toBe(0);

    for (const kept of [stillRetrying, recentReplay, recent]) expect(await exists(kept)).toBe(true);
    expect(await db.delivery.count({ where: { eventId: stillRetrying } })).toBe(2);
    expect(await db.attempt.count({ where: { delivery: { eventId: stillRetrying } } })).toBe(2);

    // Once its last delivery has finished, the old event goes too.
    await db.delivery.updateMany({ where: { eventId: stillRetrying }, data: { status: "failed" } });
    expect((await deleteExpired(db, new Date(Date.now() - 30 * DAY))).events).toBe(1);
    expect(await exists(stillRetrying)).toBe(false);
  });

  it("stops after maxBatches and leaves the rest for the next run", async () => {
    const ids = await Promise.all(Array.from({ length: 5 }, () => event(50, ["succeeded"])));
    const first = await deleteExpired(db, new Date(Date.now() - 30 * DAY), { batchSize: 2, maxBatches: 1 });
    expect(first.events).toBe(2);
    const second = await deleteExpired(db, new Date(Date.now() - 30 * DAY), { batchSize: 2 });
    expect(second.events).toBe(3);
    for (const id of ids) expect(await exists(id)).toBe(false);
  });

  it("runs as a repeatable job: with two dispatchers each tick is run once, and old rows go", async () => {
    const prefix = `hookrelay-test-${randomBytes(4).toString("hex")}`;
    const logger = createLogger("test", "silent");
    const connections = [0, 1].map(() => createRedisConnection(REDIS_URL, "worker", logger));
    const doomed = await event(3, ["succeeded"]);
    const kept = await event(0, ["succeeded"]);
    const intervalMs = 300;
    const started = Date.now();
    // RETENTION_DAYS=1: three-day-old rows go, today's stay.
    const stops = connections.map((connection) =>
      scheduleRetention({ db, logger, connection, prefix, retentionMs: DAY, intervalMs }),
    );
    const queue = new Queue(MAINTENANCE_QUEUE, { connection: connections[0] as never, prefix });
    try {
      for (let tries = 0; tries < 50 && (await exists(doomed)); tries++)
        await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await exists(doomed)).toBe(false);
      expect(await exists(kept)).toBe(true);

      // Until four runs have completed: had each dispatcher run each tick, that would be after two ticks.
      const completedRuns = async () =>
        (await queue.getJobs(["completed"])).filter((job) => job.name === RETENTION_JOB);
      await eventuallyTrue(async () => (await completedRuns()).length >= 4);
      const runs = await completedRuns();
      const ticks = Math.ceil((Date.now() - started) / intervalMs);
      // One job per tick, whichever dispatcher took it — not one per dispatcher.
      expect(runs.length).toBeGreaterThanOrEqual(4);
      expect(runs.length).toBeLessThanOrEqual(ticks + 1);
      expect(new Set(runs.map((job) => job.id)).size).toBe(runs.length);
      expect(await queue.getJobSchedulersCount()).toBe(1);
    } finally {
      await Promise.all(stops.map((stop) => stop()));
      await queue.obliterate({ force: true });
      await deleteQueuePrefix(prefix);
      await queue.close();
      for (const connection of connections) connection.disconnect();
    }
  });
  it("puts its schedule back after Redis loses its data, and runs again", async () => {
    const prefix = `hookrelay-test-${randomBytes(4).toString("hex")}`;
    const logger = createLogger("test", "silent");
    const connection = createRedisConnection(REDIS_URL, "worker", logger);
    const stop = scheduleRetention({
      db,
      logger,
      connection,
      prefix,
      retentionMs: DAY,
      intervalMs: 300,
      scheduleCheckMs: 200,
    });
    const queue = new Queue(MAINTENANCE_QUEUE, { connection: connection as never, prefix });
    try {
      await eventuallyTrue(async () => (await queue.getJobSchedulersCount()) === 1);
      // What a FLUSHALL (or a failover to an empty replica) does to this install's keys.
      const keys = await connection.keys(`${prefix}:*`);
      if (keys.length > 0) await connection.del(...keys);
      expect(await queue.getJobSchedulersCount()).toBe(0);

      const doomed = await event(3, ["succeeded"]);
      await eventuallyTrue(async () => (await queue.getJobSchedulersCount()) === 1);
      await eventuallyTrue(async () => !(await exists(doomed)));
    } finally {
      await stop();
      await queue.obliterate({ force: true });
      await deleteQueuePrefix(prefix);
      await queue.close();
      connection.disconnect();
    }
  });
});
