import { HookrelayProcesses } from "../../support/fault-apps.js";
import { createProject, createWebhook, startLoad } from "../../support/fault-load.js";
import type { Behaviour, FaultReceiver } from "../../support/fault-receiver.js";
import {
  ADMIN_KEY,
  appEnv,
  Cleanup,
  type FaultRow,
  measure,
  openPool,
  openQueue,
  pendingDescriber,
  startBackends,
  waitUntilSettled,
} from "../harness.js";

const EVENTS = 10;
const TIMEOUT_MS = 2_000;
const SLOW_MS = 500;
const HUGE_BYTES = 16 * 2 ** 20;

interface Receiver {
  route: string;
  scenario: string;
  behave: (attempt: number) => Behaviour;
  end: "succeeded" | "failed";
}

const RECEIVERS: Receiver[] = [
  {
    route: "healthy",
    scenario: "receivers: a healthy one next to the hostile ones",
    behave: () => ({ kind: "ok" }),
    end: "succeeded",
  },
  {
    route: "slow",
    scenario: `receivers: slow (answers after ${SLOW_MS / 1000} s, timeout ${TIMEOUT_MS / 1000} s)`,
    behave: () => ({ kind: "slow", delayMs: SLOW_MS }),
    end: "succeeded",
  },
  {
    route: "hang",
    scenario: "receivers: hangs on the first attempt",
    behave: (attempt) => (attempt === 1 ? { kind: "hang" } : { kind: "ok" }),
    end: "succeeded",
  },
  {
    route: "reset",
    scenario: "receivers: resets the connection on the first attempt",
    behave: (attempt) => (attempt === 1 ? { kind: "reset" } : { kind: "ok" }),
    end: "succeeded",
  },
  {
    route: "huge",
    scenario: "receivers: answers a 16 MiB body",
    behave: () => ({ kind: "huge", bytes: HUGE_BYTES }),
    end: "succeeded",
  },
  {
    route: "loop",
    scenario: "receivers: redirect loop (307 to itself, always; expected to end failed)",
    behave: () => ({ kind: "redirect" }),
    end: "failed",
  },
];

/**
 * Receivers that misbehave, each on its own webhook, all getting the same events from one dispatcher. Every
 * delivery must reach its end (taken, or `failed` for the redirect loop) without stalling its neighbours.
 */
export async function hostileReceivers(log: (line: string) => void): Promise<FaultRow[]> {
  const cleanup = new Cleanup();
  try {
    const { database, redis, receiver } = await startBackends(cleanup);
    receiver.behave = (route, attempt) =>
      RECEIVERS.find((one) => one.route === route)?.behave(attempt) ?? { kind: "ok" };
    // Retries 1 s, then every 2 s; a delivery still failing 8 s after it was created ends `failed`. Ten
    // events: fewer than WEBHOOK_CONCURRENCY, so the hanging receiver's first attempts time out together.
    const env = appEnv(database.url, redis.url, {
      DELIVERY_TIMEOUT_MS: String(TIMEOUT_MS),
      RETRY_MAX_AGE: "8s",
    });
    const apps = new HookrelayProcesses(env);
    cleanup.add(() => apps.stopAll());
    const pool = openPool(database.url);
    cleanup.add(() => pool.end());
    const queue = openQueue(redis.url, env.QUEUE_PREFIX ?? "");
    cleanup.add(() => queue.close());

    await Promise.all([apps.startApi(), apps.startDispatcher()]);
    const project = await createProject(apps.apiUrl, ADMIN_KEY, "hostile receivers");
    const webhooks = await Promise.all(
      RECEIVERS.map((one) =>
        createWebhook(project, { url: receiver.url(one.route), event_types: ["order.*"] }),
      ),
    );
    const { eventIds, finishedAt } = await startLoad(project, {
      eventType: "order.paid",
      count: EVENTS,
      concurrency: 8,
      idPrefix: "receivers",
    }).done;
    const settled = await waitUntilSettled(
      pool,
      webhooks.map((webhook) => webhook.id),
      EVENTS * RECEIVERS.length,
    );
    log(`settled=${settled.settled} pending=${settled.pending}`);

    const lostJobLocks = apps.lostJobLocks();
    const rows: FaultRow[] = [];
    for (const [n, one] of RECEIVERS.entries()) {
      const webhookId = webhooks[n]?.id ?? "";
      const row = await measure(
        pool,
        receiver,
        {
          scenario: one.scenario,
          route: one.route,
          webhookId,
          eventIds,
          end: one.end,
          eventsSent: eventIds.length,
          // The fault is the receiver itself: it ends with its last hostile answer.
          faultEnd: receiver.lastHostileAt(one.route) ?? finishedAt,
          crashWindows: [],
          lostJobLocks,
        },
        pendingDescriber(pool, queue),
      );
      await checkAttempts(pool, receiver, one, webhookId, row);
      rows.push(row);
    }
    rows.find((row) => row.failures.length > 0)?.failures.push(`process output:\n${apps.logs()}`);
    return rows;
  } finally {
    await cleanup.run();
  }
}

/** What the attempt log must say for each kind of receiver. */
async function checkAttempts(
  pool: ReturnType<typeof openPool>,
  receiver: FaultReceiver,
  one: Receiver,
  webhookId: string,
  row: FaultRow,
): Promise<void> {
  const { rows: attempts } = await pool.query<{
    attempt_number: number;
    status_code: number | null;
    error: string | null;
    body_bytes: number | null;
    latency_ms: number;
  }>(
    `SELECT a.attempt_number, a.status_code, a.error, octet_length(a.response_body) AS body_bytes, a.latency_ms
       FROM attempts a JOIN deliveries d ON d.id = a.delivery_id WHERE d.webhook_id = $1`,
    [webhookId],
  );
  const first = attempts.filter((attempt) => attempt.attempt_number === 1);
  const count = (predicate: (attempt: (typeof attempts)[number]) => boolean) =>
    first.filter(predicate).length;
  switch (one.route) {
    case "hang": {
      const timedOut = count((attempt) => attempt.error === "timeout");
      row.notes.push(`${timedOut} first attempts recorded as timeout, each retried`);
      if (timedOut !== EVENTS)
        row.failures.push(`${timedOut} of ${EVENTS} first attempts recorded as timeout`);
      break;
    }
    case "reset": {
      const reset = count((attempt) => attempt.error === "connection_reset");
      row.notes.push(`${reset} first attempts recorded as connection_reset, each retried`);
      if (reset !== EVENTS)
        row.failures.push(`${reset} of ${EVENTS} first attempts recorded as connection_reset`);
      break;
    }
    case "huge": {
      const largest = Math.max(0, ...attempts.map((attempt) => attempt.body_bytes ?? 0));
      row.notes.push(`largest response body kept: ${largest} bytes`);
      if (largest > 1024) row.failures.push(`a response body of ${largest} bytes was kept (limit 1024)`);
      break;
    }
    case "slow": {
      const slowest = Math.max(0, ...attempts.map((attempt) => attempt.latency_ms));
      row.notes.push(`${attempts.length} attempts for ${EVENTS} deliveries, slowest ${slowest} ms`);
      if (attempts.length !== EVENTS)
        row.failures.push(`${attempts.length} attempts for ${EVENTS} deliveries`);
      break;
    }
    case "loop": {
      const redirects = attempts.filter((attempt) => attempt.status_code === 307).length;
      const requests = receiver.requests(one.route);
      row.notes.push(
        `${attempts.length} attempts (all 307: ${redirects === attempts.length}), ${requests} requests: no redirect followed`,
      );
      if (requests !== attempts.length)
        row.failures.push(
          `${requests} requests for ${attempts.length} recorded attempts: a redirect was followed`,
        );
      if (attempts.length < 2 * EVENTS) row.failures.push(`only ${attempts.length} attempts: not retried`);
      break;
    }
  }
}
