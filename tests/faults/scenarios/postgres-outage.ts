import { randomBytes } from "node:crypto";
import { createTestDatabase } from "../../support/database.js";
import { HookrelayProcesses } from "../../support/fault-apps.js";
import { createProject, createWebhook, startLoad } from "../../support/fault-load.js";
import { FaultReceiver } from "../../support/fault-receiver.js";
import { startOwnedPostgres, startOwnedRedis } from "../../support/fault-servers.js";
import { startTcpProxy } from "../../support/tcp-proxy.js";
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
  waitUntilSettled,
} from "../harness.js";

const EVENTS = 400;
const PER_SECOND = 80;
const ROUTES = ["a", "b"];
const FAULT_AFTER_MS = 1_000;
const OUTAGE_MS = { stop: 3_000, blackhole: 4_000 };
/** Attempts made while PostgreSQL is gone cannot be recorded: they are made again. */
const WINDOW_MARGIN_MS = 3_000;

/**
 * hookrelay's PostgreSQL gone for a few seconds under load: stopped (a test-owned cluster, fast shutdown,
 * then started again), or black-holed (a TCP proxy that passes nothing, not even a reset). Producers get
 * 503 meanwhile and send again; every acknowledged event must be delivered once the database is back.
 */
export async function postgresOutage(
  kind: "stop" | "blackhole",
  log: (line: string) => void,
): Promise<FaultRow[]> {
  const cleanup = new Cleanup();
  try {
    let databaseUrl: string;
    let directUrl: string;
    let startFault: () => Promise<void> | void;
    let endFault: () => Promise<void> | void;
    if (kind === "stop") {
      const postgres = await startOwnedPostgres();
      cleanup.add(() => postgres.destroy());
      databaseUrl = await postgres.createMigratedDatabase(
        `hookrelay_fault_${randomBytes(3).toString("hex")}`,
      );
      directUrl = databaseUrl;
      startFault = () => postgres.stop();
      endFault = () => postgres.start();
    } else {
      const database = await createTestDatabase();
      cleanup.add(() => database.drop());
      const proxy = await startTcpProxy(Number(new URL(database.url).port || 5432));
      cleanup.add(() => proxy.close());
      const proxied = new URL(database.url);
      proxied.port = String(proxy.port);
      databaseUrl = proxied.toString();
      directUrl = database.url;
      startFault = () => proxy.mode("blackhole");
      endFault = () => proxy.mode("forward");
    }
    const redis = await startOwnedRedis();
    cleanup.add(() => redis.stop());
    const receiver = await FaultReceiver.start();
    cleanup.add(() => receiver.close());
    const env = appEnv(databaseUrl, redis.url, {
      DATABASE_CONNECT_TIMEOUT: "1s",
      DATABASE_STATEMENT_TIMEOUT: "2s",
    });
    const apps = new HookrelayProcesses(env);
    cleanup.add(() => apps.stopAll());
    const pool = openPool(directUrl);
    cleanup.add(() => pool.end());
    const queue = openQueue(redis.url, env.QUEUE_PREFIX ?? "");
    cleanup.add(() => queue.close());

    await Promise.all([apps.startApi(), apps.startDispatcher(), apps.startDispatcher()]);
    const project = await createProject(apps.apiUrl, ADMIN_KEY, `postgres ${kind}`);
    const webhooks = await Promise.all(
      ROUTES.map((route) => createWebhook(project, { url: receiver.url(route), event_types: ["order.*"] })),
    );

    const stopLoad = new AbortController();
    cleanup.add(() => stopLoad.abort());
    const load = startLoad(project, {
      eventType: "order.paid",
      count: EVENTS,
      concurrency: 16,
      perSecond: PER_SECOND,
      idPrefix: `pg-${kind}`,
      signal: stopLoad.signal,
    });
    await sleep(FAULT_AFTER_MS);
    const faultStart = Date.now();
    log(`${kind} at ${load.progress.acknowledged} of ${EVENTS} events acknowledged`);
    await startFault();
    await sleep(OUTAGE_MS[kind]);
    await endFault();
    const faultEnd = Date.now();
    log(
      `back after ${faultEnd - faultStart} ms (${new Date(faultStart).toISOString()} → ${new Date(faultEnd).toISOString()})`,
    );
    const { eventIds, retries } = await load.done;
    const settled = await waitUntilSettled(
      pool,
      webhooks.map((webhook) => webhook.id),
      EVENTS * ROUTES.length,
    );
    log(`settled=${settled.settled} pending=${settled.pending}`);

    const crashWindows: Array<[number, number]> = [
      [faultStart - WINDOW_MARGIN_MS, faultEnd + WINDOW_MARGIN_MS],
    ];
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
            crashWindows,
            lostJobLocks,
          },
          pendingDescriber(pool, queue),
        ),
      );
    const row = combineRows(
      rows,
      kind === "stop"
        ? `PostgreSQL stopped for ${OUTAGE_MS.stop / 1000} s under load`
        : `PostgreSQL black-holed for ${OUTAGE_MS.blackhole / 1000} s under load`,
    );
    row.notes.push(
      `${EVENTS} events × ${ROUTES.length} webhooks at ${PER_SECOND}/s`,
      ...[retriesNote(retries)].filter((note): note is string => note !== undefined),
    );
    if (row.failures.length > 0) row.failures.push(`process output:\n${apps.logs()}`);
    return [row];
  } finally {
    await cleanup.run();
  }
}
