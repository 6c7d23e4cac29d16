import { newOverdueWalk, sweepOutbox } from "@hookrelay/dispatcher";
import { createLogger, createRedisConnection, enqueueDeliveries, newId } from "@hookrelay/shared";
import { createProject } from "./support/fixtures.js";
import { TestReceiver } from "./support/receiver.js";
import { type Stack, startStack } from "./support/stack.js";

// Redis loses its data (a flush, a restart without persistence, a failover to an empty replica): every
// pending delivery must be back in the queue at its due time within one sweep, whatever the backlog — also
// those whose retry is hours away (issue 11, item 1).
describe("outbox sweep after Redis lost its data", () => {
  let stack: Stack;
  let receiver: TestReceiver;
  const logger = createLogger("test", "silent");
  let redis: ReturnType<typeof createRedisConnection>;

  beforeAll(async () => {
    // No dispatcher: the queue is only looked at, not worked.
    stack = await startStack({}, { dispatcher: false });
    receiver = await TestReceiver.start();
    redis = createRedisConnection(stack.env.REDIS_URL ?? "redis://127.0.0.1:6379", "worker", logger);
  });

  afterAll(async () => {
    redis?.disconnect();
    await stack?.stop();
    await receiver?.close();
  });

  it("puts every pending delivery back, each at its due time, within one sweep; a healthy Redis costs nothing", async () => {
    const project = await createProject(stack);
    await project.webhook({ url: receiver.url, event_types: ["order.*"] });
    await Promise.all(Array.from({ length: 30 }, (_, n) => project.event("order.paid", { n })));
    const deliveries = await stack.db.delivery.findMany({ orderBy: { id: "asc" } });
    expect(deliveries).toHaveLength(30);
    // Ten of them wait for a retry an hour away (their job is delayed in Redis).
    const later = deliveries.slice(0, 10).map((delivery) => delivery.id);
    const inAnHour = new Date(Date.now() + 3_600_000);
    await stack.db.delivery.updateMany({ where: { id: { in: later } }, data: { nextAttemptAt: inAnHour } });

    const sweep = () => sweepOutbox({ db: stack.db, queues: stack.queues, redis, logger, graceMs: 60_000 });
    await sweep(); // First sweep on this Redis: makes sure, then marks it.
    expect(await sweep()).toBe(0);

    // What a FLUSHALL does to this install's keys.
    const keys = await redis.keys(`${stack.env.QUEUE_PREFIX}:*`);
    await redis.del(...keys);
    expect(await stack.queue.getJobCounts("waiting", "delayed")).toEqual({ waiting: 0, delayed: 0 });

    expect(await sweep()).toBe(30);
    expect(await stack.queue.getJobCounts("waiting", "delayed")).toEqual({ waiting: 20, delayed: 10 });
    for (const id of later) {
      const job = await stack.queue.getJob(id);
      expect(Math.abs((job?.timestamp ?? 0) + (job?.delay ?? 0) - inAnHour.getTime())).toBeLessThan(5_000);
    }
    // Marked again: the next sweep finds nothing to restore.
    expect(await sweep()).toBe(0);
  });

  it("finds a single lost job behind more than a thousand overdue deliveries that are fine, within a few sweeps", async () => {
    const project = await createProject(stack, "backlog");
    const webhook = await project.webhook({ url: receiver.url, event_types: ["backlog.*"] });
    const { event_id: eventId } = await project.event("backlog.seed", {});
    await stack.db.delivery.deleteMany({ where: { eventId } });
    // 1,200 deliveries waiting in Redis (a rate-limited backlog: delayed, never tried, long overdue by
    // their row), then the newest one, whose job is lost. Written by SQL: the api would enqueue them now.
    const tenMinutesAgo = Date.now() - 10 * 60_000;
    const ids = Array.from({ length: 1_201 }, (_, n) => newId("delivery", tenMinutesAgo + n));
    await stack.db.$executeRaw`
      INSERT INTO deliveries (id, project_id, event_id, webhook_id, event_type, created_at, enqueued_at)
      SELECT id, ${project.id}, ${eventId}, ${webhook.id}, 'backlog.seed',
             to_timestamp(${tenMinutesAgo / 1000}) + n * interval '1 millisecond', to_timestamp(${tenMinutesAgo / 1000})
      FROM unnest(${ids}::text[]) WITH ORDINALITY AS seeded(id, n)`;
    await enqueueDeliveries(
      stack.queues,
      ids.map((deliveryId) => ({ deliveryId, webhookId: webhook.id })),
      { delayMs: 3_600_000 },
    );
    const sweep = (walk: ReturnType<typeof newOverdueWalk>) =>
      sweepOutbox({ db: stack.db, queues: stack.queues, redis, logger, graceMs: 60_000 }, walk);
    await sweep(newOverdueWalk()); // the Redis marker is set: no restore below
    const lostId = ids.at(-1) ?? "";
    await stack.queue.remove(lostId);
    const delayedBefore = await stack.queue.getDelayedCount();

    const walk = newOverdueWalk();
    let sweeps = 0;
    while (!(await stack.queue.getJob(lostId)) && sweeps < 5) {
      await sweep(walk);
      sweeps += 1;
    }
    // 1,000 overdue deliveries of a kind are checked per sweep (one Redis round trip): found in the second.
    // Before, only the 500 oldest were ever looked at.
    expect(await stack.queue.getJob(lostId)).toBeDefined();
    expect(sweeps).toBeLessThanOrEqual(2);
    expect(await stack.queue.getDelayedCount()).toBe(delayedBefore);
    expect(await stack.queue.getWaitingCount()).toBeGreaterThanOrEqual(1);
  });
});
