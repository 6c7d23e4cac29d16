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
  SETTLE,
  sleep,
  startBackends,
  waitUntilSettled,
} from "../harness.js";

const EVENTS = 1_000;
const WEBHOOKS = 20;
const DISPATCHERS = 3;
const KILL_EVERY_MS = 3_000;
/** Kills stop once this share of the deliveries has been taken. */
const KILL_UNTIL = 0.9;
/** An attempt started this long before a kill may have been cut before it was recorded: it is made again. */
const CRASH_WINDOW_MS = 3_000;

/**
 * ≥ 20,000 deliveries with 2–3 dispatchers, one SIGKILLed every few seconds (and replaced) while the api
 * ingests. One row: every delivery taken; copies only where a kill cut an attempt before it was recorded.
 */
export async function dispatchersKilled(log: (line: string) => void): Promise<FaultRow[]> {
  const cleanup = new Cleanup();
  try {
    const { database, redis, receiver } = await startBackends(cleanup);
    const env = appEnv(database.url, redis.url);
    const apps = new HookrelayProcesses(env);
    cleanup.add(() => apps.stopAll());
    const pool = openPool(database.url);
    cleanup.add(() => pool.end());
    const queue = openQueue(redis.url, env.QUEUE_PREFIX ?? "");
    cleanup.add(() => queue.close());

    await Promise.all([
      apps.startApi(),
      ...Array.from({ length: DISPATCHERS }, () => apps.startDispatcher()),
    ]);
    const project = await createProject(apps.apiUrl, ADMIN_KEY, "dispatchers killed");
    const routes = Array.from({ length: WEBHOOKS }, (_, n) => `killed-${n}`);
    const webhooks = await Promise.all(
      routes.map((route) => createWebhook(project, { url: receiver.url(route), event_types: ["order.*"] })),
    );

    const expectedTotal = EVENTS * WEBHOOKS;
    const delivered = () => routes.reduce((sum, route) => sum + receiver.delivered(route), 0);
    const stopLoad = new AbortController();
    cleanup.add(() => stopLoad.abort());
    const load = startLoad(project, {
      eventType: "order.paid",
      count: EVENTS,
      concurrency: 24,
      idPrefix: "killed",
      signal: stopLoad.signal,
    });
    let loaded = false;
    void load.done.then(() => {
      loaded = true;
    });

    // Every few seconds the oldest dispatcher is killed and a new one started (not waited for): 2–3 run.
    // A kill waits until 3 are ready again, so a machine slow to start processes gets fewer kills.
    const kills: number[] = [];
    const starting = new Set<Promise<unknown>>();
    let startError: Error | undefined;
    cleanup.add(() => Promise.allSettled(starting));
    const deadline = Date.now() + 90_000;
    let lastKill = Date.now();
    while (delivered() < KILL_UNTIL * expectedTotal || !loaded) {
      if (startError) throw startError;
      if (Date.now() > deadline)
        throw new Error(
          `no end to the kills: ${delivered()} delivered, ${load.progress.acknowledged} acknowledged\n${apps.logs()}`,
        );
      const victim = apps.dispatchers[0];
      if (victim && starting.size === 0 && Date.now() - lastKill >= KILL_EVERY_MS) {
        lastKill = Date.now();
        kills.push(lastKill);
        await apps.stop(victim, "SIGKILL");
        log(
          `killed ${victim.name}: ${delivered()} of ${expectedTotal} delivered, ` +
            `${load.progress.acknowledged} of ${EVENTS} events acknowledged`,
        );
        const replacement: Promise<unknown> = apps
          .startDispatcher()
          .catch((error: Error) => {
            startError = error;
          })
          .finally(() => starting.delete(replacement));
        starting.add(replacement);
      }
      await sleep(200);
    }
    await Promise.all(starting);
    if (startError) throw startError;
    const { eventIds, retries } = await load.done;
    const faultEnd = kills.at(-1) ?? Date.now();
    const settled = await waitUntilSettled(
      pool,
      webhooks.map((webhook) => webhook.id),
      expectedTotal,
      { ...SETTLE, timeoutMs: 60_000 },
    );
    log(`settled=${settled.settled} total=${settled.total} pending=${settled.pending}`);

    const lostJobLocks = apps.lostJobLocks();
    const rows = await Promise.all(
      routes.map((route, n) =>
        measure(
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
            crashWindows: kills.map((at) => [at - CRASH_WINDOW_MS, at]),
            lostJobLocks,
          },
          pendingDescriber(pool, queue),
        ),
      ),
    );
    const every = kills.length > 1 ? ((kills.at(-1) ?? 0) - (kills[0] ?? 0)) / (kills.length - 1) / 1000 : 0;
    const row = combineRows(
      rows,
      `${DISPATCHERS} dispatchers, ${kills.length} SIGKILLs (one every ${every.toFixed(1)} s), ${expectedTotal} deliveries`,
    );
    row.notes.push(
      `${EVENTS} events × ${WEBHOOKS} webhooks ingested while delivering`,
      ...[retriesNote(retries)].filter((note): note is string => note !== undefined),
    );
    if (row.failures.length > 0) {
      row.failures.push(`kills at ${kills.map((at) => new Date(at).toISOString().slice(11, 23)).join(", ")}`);
      row.failures.push(`process output:\n${apps.logs()}`);
    }
    return [row];
  } finally {
    await cleanup.run();
  }
}
