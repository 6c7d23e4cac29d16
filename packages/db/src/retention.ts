import { idAtTime } from "@hookrelay/shared";
import type { Database } from "./client.js";
import { Prisma } from "./generated/prisma/client.js";
import { deleteExpiredIdempotencyKeys } from "./idempotency-keys.js";
import {
  dropExpiredPeriods,
  ensurePartitions,
  errorReason,
  type MaintenanceOptions,
  type MisplacedRows,
  type PeriodOutcome,
  rowsInDefaultPartitions,
} from "./partitions.js";
import { rawQuery } from "./raw-rows.js";

export interface RetentionCounts {
  events: number;
  deliveries: number;
  attempts: number;
}

export interface RetentionOptions {
  /** Events per statement (with their deliveries and attempts). */
  batchSize?: number;
  /** Statements per run at most; what is left waits for the next run. */
  maxBatches?: number;
}

const expiredEventsDeletion = rawQuery({
  name: "delete expired events",
  columns: {
    events: ["id", "created_at"],
    deliveries: ["id", "event_id", "status", "created_at"],
    attempts: ["delivery_id"],
  },
  row: { events: "int4", deliveries: "int4", attempts: "int4" },
  sql: (beforeId: string, cutoff: Date, batchSize: number) => Prisma.sql`
      WITH doomed AS (
        SELECT e.id FROM events e
        WHERE e.id < ${beforeId} AND e.created_at < ${cutoff}::timestamptz
          -- A scalar subquery, checked row by row in id order until the batch is full: as NOT EXISTS the
          -- planner made it an anti-join hashing every live delivery (2.2 s a batch at 1 M deliveries).
          -- Deliveries are never older than their event: partitions before the event's are skipped.
          AND NOT (SELECT EXISTS (
            SELECT 1 FROM deliveries d
            WHERE d.event_id = e.id AND d.id >= 'dlv_' || substr(e.id, 5, 10)
              AND (d.status = 'pending' OR d.created_at >= ${cutoff}::timestamptz)))
        ORDER BY e.id
        LIMIT ${batchSize}::int
        FOR UPDATE SKIP LOCKED
      ), gone_attempts AS (
        DELETE FROM attempts a USING deliveries d, doomed
        WHERE a.delivery_id = d.id AND d.event_id = doomed.id
        RETURNING 1
      ), gone_deliveries AS (
        DELETE FROM deliveries d USING doomed WHERE d.event_id = doomed.id RETURNING 1
      ), gone_events AS (
        DELETE FROM events e USING doomed WHERE e.id = doomed.id RETURNING 1
      )
      SELECT (SELECT count(*) FROM gone_events)::int AS events,
             (SELECT count(*) FROM gone_deliveries)::int AS deliveries,
             (SELECT count(*) FROM gone_attempts)::int AS attempts`,
});

/**
 * Deletes events created before `cutoff` with their deliveries and attempts, in batches (children first,
 * each batch one statement). An event is kept while any of its deliveries is still pending (a retry may
 * legitimately be 14 days old) or was created after the cutoff (a recent replay of an old event).
 */
export async function deleteExpired(
  db: Database,
  cutoff: Date,
  { batchSize = 2_000, maxBatches = 500 }: RetentionOptions = {},
): Promise<RetentionCounts> {
  // Ids sort by creation time: "created before the cutoff" is a range on the primary key.
  const beforeId = idAtTime("event", cutoff, "start");
  const total: RetentionCounts = { events: 0, deliveries: 0, attempts: 0 };
  for (let batch = 0; batch < maxBatches; batch++) {
    const [counts] = await expiredEventsDeletion.rows(db, beforeId, cutoff, batchSize);
    if (!counts) break;
    total.events += counts.events;
    total.deliveries += counts.deliveries;
    total.attempts += counts.attempts;
    if (counts.events < batchSize) break;
  }
  return total;
}

export interface RetentionRun {
  /** Periods whose partitions were created ahead (suffixes). */
  created: string[];
  /** Rows sitting in a default partition although their period is due (see rowsInDefaultPartitions). */
  misplaced: MisplacedRows[];
  /** Each expired period: dropped whole, or kept and why. */
  periods: PeriodOutcome[];
  /** Rows deleted one by one (legacy and default partitions, expired periods that could not be dropped). */
  deleted: RetentionCounts;
  /** Expired idempotency keys deleted. */
  keys: number;
  /** Steps that failed (each step runs whatever the others did); the next run tries them again. */
  failures: Array<{ step: RetentionStep; error: string }>;
}

export type RetentionStep =
  | "create partitions"
  | "check default partitions"
  | "drop expired periods"
  | "delete expired rows"
  | "delete expired keys";

/**
 * The maintenance job: creates the partitions of the coming periods, drops the periods that have wholly
 * expired (attempts, deliveries, events) unless something in them is still needed, then deletes one by one
 * (deleteExpired, same rules as ever) the expired rows of the legacy partition and of periods kept longer
 * than a further `retentionMs` (see dropExpiredPeriods). Rows of the period that straddles the cutoff wait
 * for their period to be dropped: they are kept up to one period (PARTITION_PERIOD_MS) longer than
 * `retentionMs`. A step that fails (tables busy, a timeout) is reported in `failures` and does not stop
 * the others, except that rows are deleted one by one only once the periods are known.
 */
export async function runRetention(
  db: Database,
  {
    now = new Date(),
    retentionMs,
    maintenance = {},
    ...options
  }: RetentionOptions & { now?: Date; retentionMs: number; maintenance?: MaintenanceOptions },
): Promise<RetentionRun> {
  const failures: RetentionRun["failures"] = [];
  async function step<T>(name: RetentionStep, work: () => Promise<T>, fallback: T): Promise<T> {
    try {
      return await work();
    } catch (error) {
      failures.push({ step: name, error: errorReason(error) });
      return fallback;
    }
  }
  const none: RetentionCounts = { events: 0, deliveries: 0, attempts: 0 };
  const created = await step("create partitions", () => ensurePartitions(db, { now, ...maintenance }), []);
  const misplaced = await step("check default partitions", () => rowsInDefaultPartitions(db, { now }), []);
  const cutoff = new Date(now.getTime() - retentionMs);
  const drops = await step(
    "drop expired periods",
    () => dropExpiredPeriods(db, cutoff, { graceMs: retentionMs, ...maintenance }),
    null,
  );
  const deleted = drops
    ? await step("delete expired rows", () => deleteExpired(db, drops.rowCutoff, options), none)
    : none;
  const keys = await step("delete expired keys", () => deleteExpiredIdempotencyKeys(db, now), 0);
  return { created, misplaced, periods: drops?.outcomes ?? [], deleted, keys, failures };
}
