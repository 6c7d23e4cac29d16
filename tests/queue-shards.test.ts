import { sweepOutbox } from "@hookrelay/dispatcher";
import { createLogger, createRedisConnection, newId, openDeliveryQueues, shardOf } from "@hookrelay/shared";
import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { createProject, type TestProject } from "./support/fixtures.js";
import { scrape } from "./support/metrics.js";
import { eventually, TestReceiver } from "./support/receiver.js";
import { ADMIN_KEY, type Stack, startStack } from "./support/stack.js";

const SHARDS = 3;

/** Creates webhooks until every shard has one; each listens to its own event type. */
async function webhookPerShard(project: TestProject, url: string) {
  const chosen = new Map<number, { id: string; type: string }>();
  for (let n = 0; chosen.size < SHARDS && n < 60; n++) {
    const webhook = await project.webhook({ url: `${url}/${n}`, event_types: [`w${n}.*`] });
    const shard = shardOf(webhook.id, SHARDS);
    if (!chosen.has(shard)) chosen.set(shard, { id: webhook.id, type: `w${n}.created` });
  }
  expect(chosen.size).toBe(SHARDS);
  return [...chosen.entries()].sort(([a], [b]) => a - b).map(([, webhook]) => webhook);
}

/** An api with QUEUE_SHARDS=3 and no dispatcher, for the tests of one describe block. */
function apiOnlyStack(): () => Stack {
  let stack: Stack | undefined;
  beforeAll(async () => {
    stack = await startStack({ QUEUE_SHARDS: String(SHARDS) }, { dispatcher: false });
  });
  afterAll(async () => {
    await stack?.stop();
  });
  return () => {
    if (!stack) throw new Error("the stack did not start");
    return stack;
  };
}

// QUEUE_SHARDS on a standalone Redis (the cluster and sentinel runs are in the fault suite): a webhook's
// deliveries always go to one shard, every shard is worked, watched and swept on its own.
describe("QUEUE_SHARDS=3", () => {
  describe("placement, monitoring and the sweep (no dispatcher)", () => {
    const current = apiOnlyStack();
    const logger = createLogger("test", "silent");

    it("puts each webhook's deliveries on its own shard, shows every shard, and restores only a shard that lost its data", async () => {
      const stack = current();
      const project = await createProject(stack);
      const webhooks = await webhookPerShard(project, "http://127.0.0.1:9/hooks");
      for (const [shard, webhook] of webhooks.entries()) {
        for (let n = 0; n <= shard; n++) await project.event(webhook.type, { n });
      }
      const waiting = await Promise.all(stack.queues.shards.map((queue) => queue.getWaitingCount()));
      expect(waiting).toEqual([1, 2, 3]);

      const board = await fetch(`${stack.apiUrl}/admin/queues/api/queues`, {
        headers: { authorization: `Bearer ${ADMIN_KEY}` },
      });
      const { queues } = (await board.json()) as {
        queues: Array<{ displayName?: string; name: string; counts: { waiting: number } }>;
      };
      const shown = queues
        .filter((queue) => queue.displayName?.startsWith("deliveries-"))
        .map((queue) => [queue.displayName, queue.counts.waiting]);
      expect(shown.sort()).toEqual([
        ["deliveries-0", 1],
        ["deliveries-1", 2],
        ["deliveries-2", 3],
      ]);
      const metrics = await scrape(stack.apiUrl);
      for (const [shard, count] of [1, 2, 3].entries())
        expect(
          metrics.value("hookrelay_queue_jobs", { queue: `deliveries-${shard}`, state: "waiting" }),
        ).toBe(count);

      // Shard 1 loses its keys (a cluster node restarted empty): the sweep restores its 2 deliveries only.
      const redis = createRedisConnection(stack.env.REDIS_URL ?? "", "worker", logger);
      try {
        const sweep = () =>
          sweepOutbox({ db: stack.db, queues: stack.queues, redis, logger, graceMs: 60_000 });
        await sweep(); // first sweep on this Redis: marks every shard
        expect(await sweep()).toBe(0);
        const lostPrefix = stack.queues.shards[1]?.opts.prefix ?? "";
        const lostKeys: string[] = [];
        let cursor = "0";
        for (let round = 0; round < 1_000 && (round === 0 || cursor !== "0"); round++) {
          const [next, keys] = await (redis as Redis).scan(
            cursor,
            "MATCH",
            `${lostPrefix}:*`,
            "COUNT",
            1_000,
          );
          lostKeys.push(...keys);
          cursor = next;
        }
        expect(lostKeys.length).toBeGreaterThan(2);
        await redis.del(...lostKeys);
        expect(await sweep()).toBe(2);
        expect(await Promise.all(stack.queues.shards.map((queue) => queue.getWaitingCount()))).toEqual([
          1, 2, 3,
        ]);
      } finally {
        redis.disconnect();
      }
    });
  });

  describe("QUEUE_SHARDS changed between deploys", () => {
    const current = apiOnlyStack();
    const logger = createLogger("test", "silent");

    it("puts every pending delivery in its new queue on the first sweep of the new layout", async () => {
      const stack = current();
      const project = await createProject(stack, "reshard");
      const webhooks = await webhookPerShard(project, "http://127.0.0.1:9/hooks");
      for (const webhook of webhooks) await project.event(webhook.type, {});
      const pending = await stack.db.delivery.findMany({
        where: { status: "pending" },
        select: { id: true },
      });
      expect(pending).toHaveLength(SHARDS);

      const redis = createRedisConnection(stack.env.REDIS_URL ?? "", "worker", logger);
      const twoShards = openDeliveryQueues(
        redis,
        { prefix: stack.env.QUEUE_PREFIX ?? "", shards: 2, cluster: false },
        () => undefined,
      );
      try {
        await sweepOutbox({ db: stack.db, queues: stack.queues, redis, logger, graceMs: 0 }); // markers, 3 shards
        expect(await sweepOutbox({ db: stack.db, queues: stack.queues, redis, logger, graceMs: 0 })).toBe(0);
        // The new layout: no queue of the old one is reused, and its markers say "shards=2".
        expect(await sweepOutbox({ db: stack.db, queues: twoShards, redis, logger, graceMs: 0 })).toBe(
          SHARDS,
        );
        for (const webhook of webhooks) {
          const shard = twoShards.shards[shardOf(webhook.id, 2)];
          const delivery = await stack.db.delivery.findFirstOrThrow({ where: { webhookId: webhook.id } });
          expect(await shard?.getJob(delivery.id)).toBeDefined();
        }
        expect(await sweepOutbox({ db: stack.db, queues: twoShards, redis, logger, graceMs: 0 })).toBe(0);
      } finally {
        await Promise.all(
          twoShards.shards.map((queue) => queue.obliterate({ force: true }).then(() => queue.close())),
        );
        redis.disconnect();
      }
    });
  });

  describe("one shard down (a cluster master lost)", () => {
    const current = apiOnlyStack();
    const logger = createLogger("test", "silent");

    it("costs only its own deliveries: the sweep enqueues the other shards' outbox behind the dead shard's older rows", async () => {
      const stack = current();
      const project = await createProject(stack, "dead shard");
      const webhooks = await webhookPerShard(project, "http://127.0.0.1:9/hooks");
      const { event_id: eventId } = await project.event(webhooks[0]?.type ?? "", {});
      await stack.db.delivery.deleteMany({ where: { eventId } });
      // The outbox: 600 deliveries of shard 1's webhook, the oldest, then 5 of each other shard's.
      const insert = async (webhookId: string, count: number, agoMs: number) => {
        const ids = Array.from({ length: count }, (_, n) => newId("delivery", Date.now() - agoMs + n));
        await stack.db.$executeRaw`
          INSERT INTO deliveries (id, project_id, event_id, webhook_id, event_type, created_at)
          SELECT id, ${project.id}, ${eventId}, ${webhookId}, 'seed',
                 to_timestamp(${(Date.now() - agoMs) / 1000}) + n * interval '1 millisecond'
          FROM unnest(${ids}::text[]) WITH ORDINALITY AS seeded(id, n)`;
        return ids;
      };
      const redis = createRedisConnection(stack.env.REDIS_URL ?? "", "worker", logger);
      // Every shard's marker is set while all are up and nothing is pending; then shard 1 goes away.
      await sweepOutbox({ db: stack.db, queues: stack.queues, redis, logger, graceMs: 0 });
      const [first, second, third] = webhooks.map((webhook) => webhook.id);
      const dead = await insert(second ?? "", 600, 10 * 60_000);
      const alive = [
        ...(await insert(first ?? "", 5, 5 * 60_000)),
        ...(await insert(third ?? "", 5, 5 * 60_000)),
      ];

      const nowhere = createRedisConnection("redis://127.0.0.1:1", "producer", logger);
      const [shard0, shard1, shard2] = stack.queues.shards;
      if (!shard0 || !shard1 || !shard2) throw new Error("three shards expected");
      const deadShard = new Queue(shard1.name, { connection: nowhere, prefix: shard1.opts.prefix });
      deadShard.on("error", () => undefined);
      try {
        const queues = { shards: [shard0, deadShard, shard2] };
        const swept = await sweepOutbox({
          db: stack.db,
          queues,
          redis,
          logger,
          graceMs: 60_000,
          redisCallMs: 1_000,
        });

        expect(swept).toBe(10);
        const jobs = async (queue: Queue, ids: string[]) =>
          (await Promise.all(ids.map((id) => queue.getJob(id)))).filter(Boolean).length;
        expect(await jobs(shard0, alive.slice(0, 5))).toBe(5);
        expect(await jobs(shard2, alive.slice(5))).toBe(5);
        expect(await jobs(shard1, dead)).toBe(0);
        const marked = await stack.db.delivery.count({
          where: { id: { in: alive }, enqueuedAt: { not: null } },
        });
        expect(marked).toBe(10);
        const waiting = await stack.db.delivery.count({ where: { id: { in: dead }, enqueuedAt: null } });
        expect(waiting).toBe(600);
      } finally {
        nowhere.disconnect();
        redis.disconnect();
        await deadShard.close().catch(() => undefined);
      }
    });
  });

  describe("delivery", () => {
    let stack: Stack;
    let receiver: TestReceiver;

    beforeAll(async () => {
      stack = await startStack({ QUEUE_SHARDS: String(SHARDS), DISPATCHER_CONCURRENCY: "6" });
      receiver = await TestReceiver.start();
    });
    afterAll(async () => {
      await stack?.stop();
      await receiver?.close();
    });

    it("works every shard: each webhook gets all its events", async () => {
      const project = await createProject(stack);
      const webhooks = await webhookPerShard(project, receiver.url);
      for (const webhook of webhooks) {
        await Promise.all(Array.from({ length: 10 }, (_, n) => project.event(webhook.type, { n })));
      }
      await eventually(async () => receiver.requests.length >= 30 || undefined, 20_000);
      const byWebhook = new Map<string, number>();
      for (const request of receiver.requests)
        byWebhook.set(request.url, (byWebhook.get(request.url) ?? 0) + 1);
      expect([...byWebhook.values()]).toEqual([10, 10, 10]);
      // Attempts are recorded in group commits just after the receiver answered.
      const delivered = await eventually(async () => {
        const count = await stack.db.delivery.count({ where: { status: "succeeded" } });
        return count === 30 ? count : undefined;
      }, 10_000);
      expect(delivered).toBe(30);
    });
  });
});
