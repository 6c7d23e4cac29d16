import { randomBytes } from "node:crypto";
import { DELIVERY_QUEUE } from "@hookrelay/shared";
import { Queue } from "bullmq";
import pg from "pg";
import { createTestDatabase } from "../support/database.js";
import { FaultReceiver } from "../support/fault-receiver.js";
import { startOwnedRedis } from "../support/fault-servers.js";

// What every scenario shares: the apps' settings, cleanup, waiting for the deliveries to settle, and the
// one way a table row is computed from what the receiver saw and what PostgreSQL says.

export const ADMIN_KEY = "fault-suite-admin-key-0123456789";

/** Short timings so that each fault shows, and heals, within seconds. */
export function appEnv(
  databaseUrl: string,
  redisUrl: string,
  overrides: Record<string, string> = {},
): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: `fault-${randomBytes(4).toString("hex")}`,
    ADMIN_API_KEY: ADMIN_KEY,
    SECRETS_KEY: randomBytes(32).toString("base64"),
    LOG_LEVEL: "warn",
    RETRY_SCHEDULE: "1s,2s",
    OUTBOX_SWEEP_INTERVAL: "1s",
    STALLED_JOB_TIMEOUT: "5s",
    DELIVERY_TIMEOUT_MS: "5000",
    ...overrides,
  };
}

/** One line of the reliability table. */
export interface FaultRow {
  scenario: string;
  eventsSent: number;
  expected: number;
  /** Deliveries that reached their expected end (taken by the receiver, counted once; or `failed`). */
  delivered: number;
  /** Neither delivered nor pending: gone. Must be 0. */
  lost: number;
  /** Deliveries the receiver took (2xx) more than once. */
  duplicates: number;
  /** …of which the first copy was not taken within a crash window (a dispatcher killed, a backend lost). */
  duplicatesOutsideWindows: number;
  /** …of which the job's lock was lost by a dispatcher too starved to renew it (allowed, reported). */
  duplicatesAfterLockLoss: number;
  /** Still `pending` when the wait ended. Must be 0. */
  stuck: number;
  /** Fault end → the first delivery taken after it. */
  flowingAgainMs: number | null;
  /** Fault end → the last expected delivery reached its end. */
  doneMs: number | null;
  notes: string[];
  /** Why the row fails (empty: it passes). */
  failures: string[];
}

/** One row for several webhooks of one scenario: counts added up, the slowest recovery. */
export function combineRows(rows: FaultRow[], scenario: string): FaultRow {
  const total = (pick: (row: FaultRow) => number) => rows.reduce((sum, row) => sum + pick(row), 0);
  const known = (pick: (row: FaultRow) => number | null) =>
    rows.map(pick).filter((value): value is number => value !== null);
  const flowing = known((row) => row.flowingAgainMs);
  const done = known((row) => row.doneMs);
  return {
    scenario,
    eventsSent: rows[0]?.eventsSent ?? 0,
    expected: total((row) => row.expected),
    delivered: total((row) => row.delivered),
    lost: total((row) => row.lost),
    duplicates: total((row) => row.duplicates),
    duplicatesOutsideWindows: total((row) => row.duplicatesOutsideWindows),
    duplicatesAfterLockLoss: total((row) => row.duplicatesAfterLockLoss),
    stuck: total((row) => row.stuck),
    flowingAgainMs: flowing.length > 0 ? Math.min(...flowing) : null,
    doneMs: done.length > 0 ? Math.max(...done) : null,
    notes: rows.flatMap((row) => row.notes),
    failures: rows.flatMap((row) => row.failures),
  };
}

/** Cleanup steps, run in reverse order, each whatever the others do. */
export class Cleanup {
  #steps: Array<() => unknown> = [];

  add(step: () => unknown): void {
    this.#steps.push(step);
  }

  async run(): Promise<void> {
    for (const step of this.#steps.splice(0).reverse()) {
      try {
        await step();
      } catch (error) {
        process.stderr.write(`fault suite cleanup: ${(error as Error).message}\n`);
      }
    }
  }
}

/** A fresh database, a Redis of the scenario's own and a receiver, each undone by `cleanup`. */
export async function startBackends(cleanup: Cleanup) {
  const database = await createTestDatabase();
  cleanup.add(() => database.drop());
  const redis = await startOwnedRedis();
  cleanup.add(() => redis.stop());
  const receiver = await FaultReceiver.start();
  cleanup.add(() => receiver.close());
  return { database, redis, receiver };
}

export function openPool(databaseUrl: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2, connectionTimeoutMillis: 5_000 });
  pool.on("error", () => undefined);
  return pool;
}

/** The delivery queue of an install, to look at (job states, delayed jobs), not to work. */
export function openQueue(redisUrl: string, prefix: string): Queue {
  const { hostname, port } = new URL(redisUrl);
  const queue = new Queue(DELIVERY_QUEUE, {
    connection: { host: hostname, port: Number(port), maxRetriesPerRequest: null },
    prefix,
  });
  queue.on("error", () => undefined);
  return queue;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** How long to wait for the deliveries to settle after the fault and the load are over. */
export interface SettleBound {
  /** Give up after this long… */
  timeoutMs: number;
  /** …or once the number of pending deliveries has not gone down for this long. */
  idleMs: number;
}

/**
 * Long enough for hookrelay's own safety net: the outbox sweep re-enqueues a pending delivery whose job is
 * missing once it is 30 s overdue (plus a sweep). What is still pending after that is stuck.
 */
export const SETTLE: SettleBound = { timeoutMs: 45_000, idleMs: 35_000 };

/**
 * Waits until `webhookIds` have at least `rows` deliveries and none pending, or the bound says to give up
 * (what is still pending then is "stuck"). Queries that fail (the database still coming back) are retried.
 */
export async function waitUntilSettled(
  pool: pg.Pool,
  webhookIds: string[],
  rows: number,
  { timeoutMs, idleMs }: SettleBound = SETTLE,
): Promise<{ settled: boolean; total: number; pending: number; waitedMs: number }> {
  const started = Date.now();
  let last = { total: 0, pending: -1 };
  let lowest = Number.POSITIVE_INFINITY;
  let progressAt = started;
  for (;;) {
    try {
      const { rows: counts } = await pool.query(
        `SELECT count(*)::int AS total, count(*) FILTER (WHERE status = 'pending')::int AS pending
           FROM deliveries WHERE webhook_id = ANY($1)`,
        [webhookIds],
      );
      last = counts[0];
      if (last.total >= rows && last.pending === 0)
        return { settled: true, ...last, waitedMs: Date.now() - started };
      const outstanding = last.pending + Math.max(0, rows - last.total);
      if (outstanding < lowest) {
        lowest = outstanding;
        progressAt = Date.now();
      }
    } catch {}
    const now = Date.now();
    if (now - started > timeoutMs || now - progressAt > idleMs)
      return { settled: false, ...last, waitedMs: now - started };
    await sleep(250);
  }
}

export interface Expectation {
  scenario: string;
  /** The receiver route of the webhook. */
  route: string;
  webhookId: string;
  /** The events this webhook must get one delivery each of. */
  eventIds: string[];
  /** How each delivery must end. */
  end: "succeeded" | "failed";
  /** Events the producer sent in this scenario (all webhooks together). */
  eventsSent: number;
  /** When the fault ended; null: this webhook's deliveries do not count for the recovery times. */
  faultEnd: number | null;
  /**
   * [from, to]: a copy whose attempt started then (its webhook-timestamp) may legitimately be sent again, as
   * the fault may have kept the attempt from being recorded.
   */
  crashWindows: Array<[number, number]>;
  /**
   * Deliveries whose job lock a starved dispatcher lost (another took the job over while it still ran):
   * a copy of one of these is a crash window of its own.
   */
  lostJobLocks?: Set<string>;
  notes?: string[];
}

/** Computes a row: the receiver's counts against the expected events, and PostgreSQL's state of each. */
export async function measure(
  pool: pg.Pool,
  receiver: FaultReceiver,
  expectation: Expectation,
  describePending?: (deliveryIds: string[]) => Promise<string>,
): Promise<FaultRow> {
  const { route, end, faultEnd, crashWindows } = expectation;
  const { rows } = await pool.query<{
    id: string;
    event_id: string;
    status: string;
    attempt_count: number;
    completed_at: Date | null;
  }>(
    "SELECT id, event_id, status, attempt_count, completed_at FROM deliveries WHERE webhook_id = $1 AND replay_of IS NULL",
    [expectation.webhookId],
  );
  const byEvent = new Map<string, (typeof rows)[number][]>();
  for (const row of rows) byEvent.set(row.event_id, [...(byEvent.get(row.event_id) ?? []), row]);
  const expected = new Set(expectation.eventIds);
  const failures: string[] = [];

  let delivered = 0;
  let lost = 0;
  let duplicates = 0;
  let duplicatesOutsideWindows = 0;
  let duplicatesAfterLockLoss = 0;
  let lastDoneAt: number | undefined;
  const stuckIds: string[] = [];
  const lostExamples: string[] = [];
  const duplicateExamples: string[] = [];
  for (const eventId of expected) {
    const stored = byEvent.get(eventId) ?? [];
    if (stored.length > 1) failures.push(`event ${eventId} has ${stored.length} deliveries to one webhook`);
    const delivery = stored[0];
    const seen = receiver.seen(route, eventId);
    if (seen && seen.accepted > 1) {
      duplicates++;
      // The attempt's start, from its webhook-timestamp (whole seconds: it started before the next one).
      const sentAt = seen.firstAcceptedSentAt;
      const first = seen.firstAcceptedAt ?? 0;
      const inWindow =
        sentAt === undefined
          ? crashWindows.some(([from, to]) => first >= from && first <= to)
          : crashWindows.some(([from, to]) => sentAt > from - 1_000 && sentAt <= to);
      if (inWindow) {
        // Within a crash window.
      } else if (delivery && expectation.lostJobLocks?.has(delivery.id)) {
        duplicatesAfterLockLoss++;
      } else {
        duplicatesOutsideWindows++;
        if (duplicateExamples.length < 3)
          duplicateExamples.push(
            `${eventId} taken ${seen.accepted}×, first at ${new Date(first).toISOString()}`,
          );
      }
    }
    const reachedEnd = end === "succeeded" ? (seen?.accepted ?? 0) > 0 : delivery?.status === "failed";
    if (delivery?.status === "pending") stuckIds.push(delivery.id);
    if (reachedEnd) {
      delivered++;
      const doneAt = end === "succeeded" ? seen?.firstAcceptedAt : delivery?.completed_at?.getTime();
      if (doneAt !== undefined && (lastDoneAt === undefined || doneAt > lastDoneAt)) lastDoneAt = doneAt;
      if (end === "succeeded" && delivery && delivery.status !== "succeeded" && delivery.status !== "pending")
        failures.push(`delivery ${delivery.id} was taken by the receiver but is recorded ${delivery.status}`);
    } else if (delivery?.status !== "pending") {
      lost++;
      if (lostExamples.length < 5)
        lostExamples.push(
          `${eventId} (${delivery ? `${delivery.id} ${delivery.status}` : "no delivery row"})`,
        );
    }
  }
  // Pending deliveries nobody expected (an event fanned out twice) would be stuck as well.
  for (const row of rows) if (!expected.has(row.event_id) && row.status === "pending") stuckIds.push(row.id);

  if (lost > 0) failures.push(`${lost} lost, e.g. ${lostExamples.join(", ")}`);
  if (stuckIds.length > 0) {
    const detail = describePending ? await describePending(stuckIds) : stuckIds.slice(0, 5).join(", ");
    failures.push(`${stuckIds.length} stuck pending: ${detail}`);
  }
  if (duplicatesOutsideWindows > 0)
    failures.push(
      `${duplicatesOutsideWindows} delivered more than once outside any crash window, e.g. ${duplicateExamples.join(", ")}`,
    );

  const flowing =
    end === "succeeded" && faultEnd !== null ? receiver.firstAcceptedSince(route, faultEnd) : undefined;
  return {
    scenario: expectation.scenario,
    eventsSent: expectation.eventsSent,
    expected: expected.size,
    delivered,
    lost,
    duplicates,
    duplicatesOutsideWindows,
    duplicatesAfterLockLoss,
    stuck: stuckIds.length,
    flowingAgainMs: flowing === undefined || faultEnd === null ? null : flowing - faultEnd,
    doneMs: lastDoneAt === undefined || faultEnd === null ? null : Math.max(0, lastDoneAt - faultEnd),
    notes: expectation.notes ?? [],
    failures,
  };
}

/**
 * Describes a few pending deliveries for a stuck row's message: what PostgreSQL knows of each and the state
 * of its job in the queue (`unknown`: Redis has no job for it).
 */
export function pendingDescriber(pool: pg.Pool, queue?: Pick<Queue, "getJob" | "getJobState">) {
  return async (deliveryIds: string[]): Promise<string> => {
    const { rows } = await pool.query(
      "SELECT id, attempt_count, next_attempt_at, enqueued_at, created_at FROM deliveries WHERE id = ANY($1)",
      [deliveryIds.slice(0, 500)],
    );
    const described = await Promise.all(
      rows.map(async (row) => {
        const job = queue ? await describeJob(queue, row.id) : { kind: "?", text: "?" };
        return {
          kind: job.kind,
          dueMs: job.dueMs,
          line:
            `${row.id} attempts=${row.attempt_count} next_attempt_at=${iso(row.next_attempt_at)} ` +
            `enqueued_at=${iso(row.enqueued_at)} created_at=${iso(row.created_at)} job=${job.text}`,
        };
      }),
    );
    const kinds = new Map<string, { count: number; latestDueMs: number }>();
    for (const { kind, dueMs } of described) {
      const seen = kinds.get(kind) ?? { count: 0, latestDueMs: 0 };
      kinds.set(kind, { count: seen.count + 1, latestDueMs: Math.max(seen.latestDueMs, dueMs ?? 0) });
    }
    const summary = [...kinds]
      .map(
        ([kind, { count, latestDueMs }]) =>
          `${count} ${kind}${latestDueMs > 0 ? `, the last due in ${Math.round(latestDueMs / 1000)} s` : ""}`,
      )
      .join(", ");
    const examples = described.slice(0, 3).map((one) => one.line);
    return `${summary}; e.g. ${examples.join("; ")}`;
  };
}

/** A job's state in the queue, and what kind of stuck that makes. */
async function describeJob(
  queue: Pick<Queue, "getJob" | "getJobState">,
  id: string,
): Promise<{ kind: string; text: string; dueMs?: number }> {
  try {
    const state = await queue.getJobState(id);
    const job = await queue.getJob(id);
    if (!job) return { kind: `with no job in Redis (${state})`, text: state };
    const due = job.timestamp + (job.delay ?? 0) - Date.now();
    const parked = Boolean(job.data?.webhookId);
    const kind = parked ? "parked (a delayed job waiting for a wake-up)" : `${state} in the queue`;
    return {
      kind,
      dueMs: due,
      text:
        `${state}(${parked ? "parked, " : ""}runs=${job.attemptsMade} stalled=${job.stalledCounter} ` +
        `due_in=${Math.round(due / 1000)}s${job.failedReason ? ` last_error="${job.failedReason}"` : ""})`,
    };
  } catch (error) {
    return { kind: "whose job could not be read", text: (error as Error).message };
  }
}

function iso(value: Date | null): string {
  return value ? value.toISOString() : "null";
}

export function retriesNote(retries: Record<string, number>): string | undefined {
  const parts = Object.entries(retries).map(([why, count]) => `${count}× ${why}`);
  return parts.length > 0 ? `producer retried (same event_id): ${parts.join(", ")}` : undefined;
}
