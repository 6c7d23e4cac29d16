import { sweepOutbox } from "@hookrelay/dispatcher";
import { createLogger, createRedisConnection, shardOf } from "@hookrelay/shared";
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

// QUEUE_SHARDS on a standalone Redis (the cluster and sentinel runs are in the fault suite): a webhook's
// deliveries always go to one shard, every shard is worked, watched and swept on its own.
describe("QUEUE_SHARDS=3", () => {
  describe("placement, monitoring and the sweep (no dispatcher)", () => {
    let stack: Stack;
    const logger = createLogger("test", "silent");

    beforeAll(async () => {
      stack = await startStack({ QUEUE_SHARDS: String(SHARDS) }, { dispatcher: false });
    });
    afterAll(async () => {
      await stack?.stop();
    });

    it("puts each webhook's deliveries on its own shard, shows every shard, and restores only a shard that lost its data", async () => {
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
      const delivered = await stack.db.delivery.count({ where: { status: "succeeded" } });
      expect(delivered).toBe(30);
    });
  });
});
