import { HookrelayProcesses } from "../../support/fault-apps.js";
import { createProject, createWebhook, startLoad } from "../../support/fault-load.js";
import {
  ADMIN_KEY,
  appEnv,
  Cleanup,
  combineRows,
  type FaultRow,
  measure,
  openPool,
  openQueue,
  pendingDescriber,
  retriesNote,
  sleep,
  startBackends,
  waitUntilSettled,
} from "../harness.js";

const EVENTS = 600;
const PER_SECOND = 100;
const ROUTES = ["a", "b"];
const RECEIVER_DELAY_MS = 200;
/** A second, slow webhook gets more than its places can carry: part of its backlog waits parked. */
const SLOW_EVENTS = 160;
const SLOW_PER_SECOND = 40;
const SLOW_DELAY_MS = 1_500;

/**
 * The api, then each dispatcher in turn, stopped with SIGTERM and started again while events are ingested
 * and delivered — to two fast webhooks, and to a slow one whose backlog partly waits parked (a delayed
 * job woken when a place frees). Each process must exit 0 having finished its work in flight: nothing
 * lost or stuck and, as nothing crashed, nothing delivered twice.
 */
export async function gracefulRestarts(log: (line: string) => void): Promise<FaultRow[]> {
  const cleanup = new Cleanup();
  try {
    const { database, redis, receiver } = await startBackends(cleanup);
    // Every attempt is in flight for a while, so SIGTERM always finds some.
    receiver.behave = (route) => ({
      kind: "slow",
      delayMs: route === "slow" ? SLOW_DELAY_MS : RECEIVER_DELAY_MS,
    });
    const env = appEnv(database.url, redis.url);
    const apps = new HookrelayProcesses(env);
    cleanup.add(() => apps.stopAll());
    const pool = openPool(database.url);
    cleanup.add(() => pool.end());
    const queue = openQueue(redis.url, env.QUEUE_PREFIX ?? "");
    cleanup.add(() => queue.close());

    await Promise.all([apps.startApi(), apps.startDispatcher(), apps.startDispatcher()]);
    const project = await createProject(apps.apiUrl, ADMIN_KEY, "graceful restarts");
    const webhooks = await Promise.all(
      ROUTES.map((route) => createWebhook(project, { url: receiver.url(route), event_types: ["order.*"] })),
    );
    const slow = await createWebhook(project, { url: receiver.url("slow"), event_types: ["invoice.*"] });

    const stopLoad = new AbortController();
    cleanup.add(() => stopLoad.abort());
    const load = startLoad(project, {
      eventType: "order.paid",
      count: EVENTS,
      concurrency: 16,
      perSecond: PER_SECOND,
      idPrefix: "sigterm",
      signal: stopLoad.signal,
    });
    const slowLoad = startLoad(project, {
      eventType: "invoice.due",
      count: SLOW_EVENTS,
      concurrency: 8,
      perSecond: SLOW_PER_SECOND,
      idPrefix: "sigterm-slow",
      signal: stopLoad.signal,
    });
    const failures: string[] = [];
    const stop = async (app: NonNullable<typeof apps.api>) => {
      const stopped = Date.now();
      const code = await apps.stop(app, "SIGTERM");
      if (code !== 0) failures.push(`${app.name} exited with ${code} after SIGTERM`);
      log(`${app.name}: SIGTERM, exit ${code} after ${Date.now() - stopped} ms`);
    };

    await sleep(1_000);
    const faultStart = Date.now();
    // The api keeps its port: stopped, then started again (producers retry meanwhile).
    if (apps.api) await stop(apps.api);
    await apps.startApi();
    // Then each dispatcher in turn, as `systemctl restart` would: stopped, then started again.
    // Nothing fails here, so the delayed jobs are the parked deliveries.
    const parkedAtStops: number[] = [];
    for (const dispatcher of [...apps.dispatchers]) {
      parkedAtStops.push(await queue.getDelayedCount());
      await stop(dispatcher);
      await apps.startDispatcher();
    }
    const faultEnd = Date.now();
    const { eventIds, retries } = await load.done;
    const slowEvents = await slowLoad.done;
    const settled = await waitUntilSettled(
      pool,
      [...webhooks.map((webhook) => webhook.id), slow.id],
      EVENTS * ROUTES.length + SLOW_EVENTS,
      // Graceful restarts lose no job: nothing here needs the outbox's overdue check to recover.
      { timeoutMs: 20_000, idleMs: 10_000 },
    );
    log(`settled=${settled.settled} pending=${settled.pending}`);

    const lostJobLocks = apps.lostJobLocks();
    const rows = [];
    for (const [n, route] of ROUTES.entries())
      rows.push(
        await measure(
          pool,
          receiver,
          {
            scenario: "",
            route,
            webhookId: webhooks[n]?.id ?? "",
            eventIds,
            end: "succeeded",
            eventsSent: eventIds.length,
            faultEnd,
            // Nothing crashes: no delivery may be sent twice.
            crashWindows: [],
            lostJobLocks,
          },
          pendingDescriber(pool, queue),
        ),
      );
    const row = combineRows(rows, "api, then each of 2 dispatchers, restarted with SIGTERM under load");
    row.notes.push(
      `${EVENTS} events × ${ROUTES.length} webhooks at ${PER_SECOND}/s, receiver answering in ${RECEIVER_DELAY_MS} ms`,
      `restarts took ${((faultEnd - faultStart) / 1000).toFixed(1)} s, every process exited 0: ${failures.length === 0}`,
      ...[retriesNote(retries)].filter((note): note is string => note !== undefined),
    );
    row.failures.push(...failures);
    if (row.failures.length > 0) row.failures.push(`process output:\n${apps.logs()}`);
    const slowRow = await measure(
      pool,
      receiver,
      {
        scenario: `…the same restarts, for a slow webhook (${SLOW_DELAY_MS / 1000} s) with a parked backlog`,
        route: "slow",
        webhookId: slow.id,
        eventIds: slowEvents.eventIds,
        end: "succeeded",
        eventsSent: slowEvents.eventIds.length,
        faultEnd,
        crashWindows: [],
        lostJobLocks,
        notes: [
          `${SLOW_EVENTS} events at ${SLOW_PER_SECOND}/s; deliveries parked when each dispatcher was stopped: ${parkedAtStops.join(", ")}`,
        ],
      },
      pendingDescriber(pool, queue),
    );
    if (slowRow.failures.length > 0 && row.failures.length === 0)
      slowRow.failures.push(`process output:\n${apps.logs()}`);
    return [row, slowRow];
  } finally {
    await cleanup.run();
  }
}
