import { deliveryQueueAddresses, shardOf } from "@hookrelay/shared";
import { createTestDatabase } from "../../support/database.js";
import { HookrelayProcesses } from "../../support/fault-apps.js";
import { createProject, createWebhook, startLoad } from "../../support/fault-load.js";
import { FaultReceiver } from "../../support/fault-receiver.js";
import {
  redisCli,
  startOwnedRedisCluster,
  startOwnedRedisSentinels,
} from "../../support/redis-topologies.js";
import {
  ADMIN_KEY,
  appEnv,
  Cleanup,
  combineRows,
  type FaultRow,
  measure,
  openPool,
  pendingDescriber,
  retriesNote,
  sleep,
  waitUntilSettled,
} from "../harness.js";

const SHARDS = 3;
const EVENTS_PER_SHARD = 700;
const PER_SECOND_PER_SHARD = 80;
const FAULT_AFTER_MS = 3_000;
/** Around the failover, a copy taken may be sent again: its job's completion may not have reached the replica. */
const WINDOW_MARGIN_MS = 3_000;

/**
 * Scale-out Redis under a failover: the api and two dispatchers on a Redis Cluster (3 masters + 3
 * replicas) or behind Sentinel (master + replica + 3 sentinels), with QUEUE_SHARDS=3 and one webhook on
 * each shard. Mid-run a master is SIGKILLed (on the cluster: the one serving shard 0); its replica takes
 * over, the apps follow, and every delivery must arrive — duplicates only around the failover, counted.
 */
export async function redisFailover(
  kind: "cluster" | "sentinel",
  log: (line: string) => void,
): Promise<FaultRow[]> {
  const cleanup = new Cleanup();
  try {
    const database = await createTestDatabase();
    cleanup.add(() => database.drop());
    const receiver = await FaultReceiver.start();
    cleanup.add(() => receiver.close());
    const topology = kind === "cluster" ? await startOwnedRedisCluster() : await startOwnedRedisSentinels();
    cleanup.add(() => topology.stop());
    const redisEnv: Record<string, string> =
      "nodes" in topology
        ? { REDIS_CLUSTER_NODES: topology.nodes }
        : { REDIS_SENTINELS: topology.sentinels, REDIS_SENTINEL_MASTER: topology.master };
    const env = appEnv(database.url, "redis://127.0.0.1:6379", { ...redisEnv, QUEUE_SHARDS: String(SHARDS) });
    const apps = new HookrelayProcesses(env);
    cleanup.add(() => apps.stopAll());
    const pool = openPool(database.url);
    cleanup.add(() => pool.end());

    await Promise.all([apps.startApi(), apps.startDispatcher(), apps.startDispatcher()]);
    const project = await createProject(apps.apiUrl, ADMIN_KEY, `redis ${kind}`);
    const webhooks = await oneWebhookPerShard(project, receiver);
    log(`webhooks on shards ${webhooks.map((webhook) => shardOf(webhook.id, SHARDS)).join(", ")}`);

    const loads = webhooks.map((webhook) =>
      startLoad(project, {
        eventType: `${webhook.route}.created`,
        count: EVENTS_PER_SHARD,
        concurrency: 8,
        perSecond: PER_SECOND_PER_SHARD,
        idPrefix: `${kind}-${webhook.route}`,
      }),
    );
    await sleep(FAULT_AFTER_MS);
    const acknowledged = loads.reduce((sum, load) => sum + load.progress.acknowledged, 0);
    const faultStart = Date.now();
    let failover: { promoted: number; tookMs: number };
    if ("nodes" in topology) {
      const [shard0] = deliveryQueueAddresses({
        prefix: env.QUEUE_PREFIX ?? "",
        shards: SHARDS,
        cluster: true,
      });
      const seedPort = Number(topology.nodes.split(",")[0]?.split(":")[1]);
      const tagSlot = Number((await redisCli(seedPort, "cluster", "keyslot", shard0?.prefix ?? "")).trim());
      const master = await topology.masterOf(tagSlot);
      failover = await topology.killMaster(master);
      log(`killed master ${master} (shard 0, slot ${tagSlot}) at ${acknowledged} events acknowledged`);
    } else {
      failover = await topology.killMaster();
      log(`killed master ${topology.masterPort} at ${acknowledged} events acknowledged`);
    }
    const faultEnd = Date.now();
    log(`replica ${failover.promoted} took over in ${failover.tookMs} ms`);
    const results = await Promise.all(loads.map((load) => load.done));
    const eventsSent = results.reduce((sum, result) => sum + result.eventIds.length, 0);

    const settled = await waitUntilSettled(
      pool,
      webhooks.map((webhook) => webhook.id),
      eventsSent,
    );
    log(`settled=${settled.settled} pending=${settled.pending} after ${settled.waitedMs} ms`);

    const crashWindows: Array<[number, number]> = [
      [faultStart - WINDOW_MARGIN_MS, faultEnd + WINDOW_MARGIN_MS],
    ];
    const lostJobLocks = apps.lostJobLocks();
    const rows = [];
    for (const [index, webhook] of webhooks.entries()) {
      rows.push(
        await measure(
          pool,
          receiver,
          {
            scenario: "",
            route: webhook.route,
            webhookId: webhook.id,
            eventIds: results[index]?.eventIds ?? [],
            end: "succeeded",
            eventsSent,
            faultEnd,
            crashWindows,
            lostJobLocks,
          },
          pendingDescriber(pool),
        ),
      );
    }
    const row = combineRows(
      rows,
      kind === "cluster"
        ? `Redis Cluster (3 masters + 3 replicas), QUEUE_SHARDS=${SHARDS}: shard 0's master SIGKILLed mid-run`
        : `Redis Sentinel (master + replica + 3 sentinels), QUEUE_SHARDS=${SHARDS}: master SIGKILLed mid-run`,
    );
    row.notes.push(
      `${eventsSent} events at ${PER_SECOND_PER_SHARD * SHARDS}/s over ${SHARDS} webhooks (one per shard), api + 2 dispatchers`,
      `failover took ${(failover.tookMs / 1000).toFixed(1)} s`,
      ...results
        .map((result) => retriesNote(result.retries))
        .filter((note): note is string => note !== undefined),
    );
    if (row.failures.length > 0) row.failures.push(`process output:\n${apps.logs()}`);
    return [row];
  } finally {
    await cleanup.run();
  }
}

/** Creates webhooks until each shard has one; each listens to its own event type (`<route>.*`). */
async function oneWebhookPerShard(
  project: Awaited<ReturnType<typeof createProject>>,
  receiver: FaultReceiver,
): Promise<Array<{ id: string; route: string }>> {
  const chosen = new Map<number, { id: string; route: string }>();
  for (let n = 0; chosen.size < SHARDS && n < 60; n++) {
    const route = `w${n}`;
    const webhook = await createWebhook(project, { url: receiver.url(route), event_types: [`${route}.*`] });
    const shard = shardOf(webhook.id, SHARDS);
    if (!chosen.has(shard)) chosen.set(shard, { id: webhook.id, route });
  }
  if (chosen.size < SHARDS) throw new Error("could not place a webhook on every shard");
  return [...chosen.entries()].sort(([a], [b]) => a - b).map(([, webhook]) => webhook);
}
