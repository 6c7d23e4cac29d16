import { createLogger, createRedisConnection } from "@hookrelay/shared";
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

const EVENTS = 400;
const PER_SECOND = 100;
const LATER = 20;
const FAULT_AFTER_MS = 1_000;
const RESTART_DOWN_MS = 2_000;
/** Around the fault, a copy taken may be sent again: its job vanished before it was acknowledged. */
const WINDOW_MARGIN_MS = 3_000;

/**
 * Redis loses its data while events are being ingested — killed and started again empty, or FLUSHALLed —
 * with 30 deliveries waiting for a retry an hour ahead. Every delivery must still arrive; the far retries
 * must keep their time and be back in the queue as delayed jobs due then.
 */
export async function redisDataLoss(
  kind: "restart" | "flush",
  log: (line: string) => void,
): Promise<FaultRow[]> {
  const cleanup = new Cleanup();
  try {
    const { database, redis, receiver } = await startBackends(cleanup);
    // One step: a failed attempt waits an hour for its retry.
    const env = appEnv(database.url, redis.url, { RETRY_SCHEDULE: "1h" });
    const apps = new HookrelayProcesses(env);
    cleanup.add(() => apps.stopAll());
    const pool = openPool(database.url);
    cleanup.add(() => pool.end());
    const queue = openQueue(redis.url, env.QUEUE_PREFIX ?? "");
    cleanup.add(() => queue.close());

    await Promise.all([apps.startApi(), apps.startDispatcher(), apps.startDispatcher()]);
    const project = await createProject(apps.apiUrl, ADMIN_KEY, `redis ${kind}`);
    const main = await createWebhook(project, { url: receiver.url("orders"), event_types: ["order.*"] });
    const later = await createWebhook(project, { url: receiver.url("invoices"), event_types: ["invoice.*"] });
    // The first attempt of each invoice fails: its retry is an hour away.
    receiver.behave = (route, attempt) =>
      route === "invoices" && attempt === 1 ? { kind: "status", status: 500 } : { kind: "ok" };

    const invoices = await startLoad(project, {
      eventType: "invoice.due",
      count: LATER,
      concurrency: 10,
      idPrefix: `${kind}-invoice`,
    }).done;
    const scheduled = await waitForScheduledRetries(pool, later.id, LATER);
    log(`${LATER} retries scheduled about an hour ahead`);

    const stopLoad = new AbortController();
    cleanup.add(() => stopLoad.abort());
    const load = startLoad(project, {
      eventType: "order.paid",
      count: EVENTS,
      concurrency: 16,
      perSecond: PER_SECOND,
      idPrefix: `${kind}-order`,
      signal: stopLoad.signal,
    });
    await sleep(FAULT_AFTER_MS);
    const faultStart = Date.now();
    log(`${kind} at ${load.progress.acknowledged} of ${EVENTS} events acknowledged`);
    if (kind === "restart") await redis.restart(RESTART_DOWN_MS);
    else await flushAll(redis.url);
    const faultEnd = Date.now();
    const { eventIds, retries } = await load.done;

    const settled = await waitUntilSettled(pool, [main.id], EVENTS);
    log(`orders settled=${settled.settled} pending=${settled.pending}`);

    // The far retries: still pending, same time, and back in the queue as delayed jobs due then.
    const notes: string[] = [];
    const failures: string[] = [];
    const restoredIn = await waitForDelayedJobs(queue, [...scheduled.keys()], 15_000);
    if (restoredIn === undefined)
      failures.push("the retries an hour ahead were not back in the queue within 15 s");
    else
      notes.push(`the ${LATER} retries 1 h ahead were back in the queue as delayed jobs, due at their time`);
    const { rows: now } = await pool.query(
      "SELECT id, status, next_attempt_at FROM deliveries WHERE webhook_id = $1",
      [later.id],
    );
    for (const row of now) {
      const before = scheduled.get(row.id);
      if (row.status !== "pending" || row.next_attempt_at?.getTime() !== before)
        failures.push(`retry ${row.id} changed: ${row.status} ${row.next_attempt_at?.toISOString()}`);
    }
    for (const id of scheduled.keys()) {
      const job = await queue.getJob(id);
      const due = job ? job.timestamp + (job.delay ?? 0) : undefined;
      if (due === undefined || Math.abs(due - (scheduled.get(id) ?? 0)) > 5_000) {
        failures.push(`retry ${id} is not due at its time in the queue (job due ${due})`);
        break;
      }
    }
    // Now let them run (as their hour would): they must be delivered like any other.
    for (const id of scheduled.keys()) await (await queue.getJob(id))?.promote().catch(() => undefined);
    const settledLater = await waitUntilSettled(pool, [later.id], LATER);
    log(`invoices settled=${settledLater.settled} pending=${settledLater.pending}`);

    const crashWindows: Array<[number, number]> = [
      [faultStart - WINDOW_MARGIN_MS, faultEnd + WINDOW_MARGIN_MS],
    ];
    const eventsSent = eventIds.length + invoices.eventIds.length;
    const describe = pendingDescriber(pool, queue);
    const lostJobLocks = apps.lostJobLocks();
    const rows = [
      await measure(
        pool,
        receiver,
        {
          scenario: "",
          route: "orders",
          webhookId: main.id,
          eventIds,
          end: "succeeded",
          eventsSent,
          faultEnd,
          crashWindows,
          lostJobLocks,
        },
        describe,
      ),
      await measure(
        pool,
        receiver,
        {
          scenario: "",
          route: "invoices",
          webhookId: later.id,
          eventIds: invoices.eventIds,
          end: "succeeded",
          eventsSent,
          // Not part of the recovery time: they were held back an hour on purpose, then promoted.
          faultEnd: null,
          crashWindows,
          lostJobLocks,
        },
        describe,
      ),
    ];
    const row = combineRows(
      rows,
      kind === "restart"
        ? `Redis killed and restarted empty (down ${RESTART_DOWN_MS / 1000} s) during ingest, ${LATER} retries 1 h ahead`
        : `Redis flushed (FLUSHALL) during ingest, ${LATER} retries 1 h ahead`,
    );
    row.notes.push(
      `${EVENTS} events at ${PER_SECOND}/s`,
      ...notes,
      ...[retriesNote(retries)].filter((note): note is string => note !== undefined),
    );
    row.failures.push(...failures);
    if (row.failures.length > 0) row.failures.push(`process output:\n${apps.logs()}`);
    return [row];
  } finally {
    await cleanup.run();
  }
}

/** Waits until `count` deliveries of the webhook failed once and wait for a retry about an hour ahead. */
async function waitForScheduledRetries(
  pool: ReturnType<typeof openPool>,
  webhookId: string,
  count: number,
): Promise<Map<string, number>> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { rows } = await pool.query(
      `SELECT id, next_attempt_at FROM deliveries
        WHERE webhook_id = $1 AND status = 'pending' AND attempt_count = 1
          AND next_attempt_at > now() + interval '50 minutes'`,
      [webhookId],
    );
    if (rows.length === count) return new Map(rows.map((row) => [row.id, row.next_attempt_at.getTime()]));
    if (Date.now() > deadline) throw new Error(`only ${rows.length} of ${count} retries were scheduled`);
    await sleep(200);
  }
}

/** Resolves how long it took until every job is delayed in the queue, or undefined after `timeoutMs`. */
async function waitForDelayedJobs(
  queue: ReturnType<typeof openQueue>,
  ids: string[],
  timeoutMs: number,
): Promise<number | undefined> {
  const started = Date.now();
  for (;;) {
    const states = await Promise.all(ids.map((id) => queue.getJobState(id).catch(() => "error")));
    if (states.every((state) => state === "delayed")) return Date.now() - started;
    if (Date.now() - started > timeoutMs) return undefined;
    await sleep(200);
  }
}

async function flushAll(redisUrl: string): Promise<void> {
  const redis = createRedisConnection(redisUrl, "worker", createLogger("fault-suite", "silent"));
  try {
    await redis.flushall();
  } finally {
    redis.disconnect();
  }
}
