import { idAtTime } from "@hookrelay/shared";
import { Prisma } from "./generated/prisma/client.js";
import { type RawClient, rawQuery } from "./raw-rows.js";

// The dashboard's charts: attempts counted by outcome and their latency, per time bucket. An attempt's id
// is made from its time (newId("attempt", at)), so a time window is a range of the attempts' primary key
// (id, delivery_id) in each partition, never a walk of the table.

/** `count` buckets of `bucketMs` each, from `from` (the first bucket's start). */
export interface ChartWindow {
  from: Date;
  bucketMs: number;
  count: number;
}

/**
 * Attempts of one bucket by outcome: `succeeded` delivered (2xx), `retried` failed and left their
 * delivery to a later try, `failed` failed and ended their delivery as failed. Latency percentiles are of
 * every attempt in the bucket (null: none).
 */
export interface OutcomeBucket {
  start: Date;
  succeeded: number;
  retried: number;
  failed: number;
  p50Ms: number | null;
  p95Ms: number | null;
}

export type OutcomeTotals = Omit<OutcomeBucket, "start">;

export interface OutcomeSeries {
  buckets: OutcomeBucket[];
  /** The whole window (its percentiles are of all its attempts, not an average of the buckets'). */
  total: OutcomeTotals;
}

/**
 * A webhook's chart reads its deliveries created this long before the window too, so the retries of
 * older deliveries count: the default RETRY_SCHEDULE (5s … 10h) ends within 18 h of a delivery.
 */
export const DELIVERY_LOOKBACK_MS = 24 * 3_600_000;

const endOf = (window: ChartWindow) => new Date(window.from.getTime() + window.bucketMs * window.count);

// One row per bucket plus the window's total (bucket null), classified by the attempt and its delivery: a
// failed attempt ended its delivery when it is the delivery's last and the delivery is failed.
function outcomesPerBucket(
  window: ChartWindow,
  tables: Prisma.Sql,
  conditions: Prisma.Sql[] = [],
): Prisma.Sql {
  const inWindow = [
    ...conditions,
    Prisma.sql`a.id >= ${idAtTime("attempt", window.from, "start")}`,
    Prisma.sql`a.created_at >= ${window.from}::timestamptz`,
    Prisma.sql`a.created_at < ${endOf(window)}::timestamptz`,
  ];
  return Prisma.sql`
    SELECT bucket,
           count(*) FILTER (WHERE outcome = 'succeeded')::int AS succeeded,
           count(*) FILTER (WHERE outcome = 'retried')::int AS retried,
           count(*) FILTER (WHERE outcome = 'failed')::int AS failed,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms) AS p50_ms,
           percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) AS p95_ms
    FROM (
      SELECT floor(extract(epoch FROM a.created_at - ${window.from}::timestamptz) * 1000
                   / ${window.bucketMs}::int)::int AS bucket,
             CASE WHEN a.status_code BETWEEN 200 AND 299 THEN 'succeeded'
                  WHEN d.status = 'failed' AND a.attempt_number = d.attempt_count THEN 'failed'
                  ELSE 'retried' END AS outcome,
             a.latency_ms
      FROM ${tables}
      WHERE ${Prisma.join(inWindow, " AND ")}
    ) AS classified
    GROUP BY GROUPING SETS ((bucket), ())`;
}

const OUTCOME_ROW = {
  bucket: "int4 | null",
  succeeded: "int4",
  retried: "int4",
  failed: "int4",
  p50_ms: "float8 | null",
  p95_ms: "float8 | null",
} as const;

const allOutcomes = rawQuery({
  name: "attempt outcomes per bucket",
  columns: {
    attempts: ["id", "delivery_id", "status_code", "attempt_number", "latency_ms", "created_at"],
    deliveries: ["id", "status", "attempt_count"],
  },
  row: OUTCOME_ROW,
  // Each delivery is found by its primary key, in the one partition its id falls in.
  sql: (window: ChartWindow) =>
    outcomesPerBucket(window, Prisma.sql`attempts a JOIN deliveries d ON d.id = a.delivery_id`),
});

const webhookOutcomes = rawQuery({
  name: "attempt outcomes of a webhook per bucket",
  columns: {
    attempts: ["id", "delivery_id", "status_code", "attempt_number", "latency_ms", "created_at"],
    deliveries: ["id", "webhook_id", "status", "attempt_count"],
  },
  row: OUTCOME_ROW,
  // The webhook's recent deliveries are one range of the (webhook_id, id) index; their attempts one range
  // each of (delivery_id, attempt_number). The same bound on attempts.delivery_id skips older partitions.
  sql: (webhookId: string, window: ChartWindow) => {
    const since = idAtTime("delivery", new Date(window.from.getTime() - DELIVERY_LOOKBACK_MS), "start");
    return outcomesPerBucket(window, Prisma.sql`deliveries d JOIN attempts a ON a.delivery_id = d.id`, [
      Prisma.sql`d.webhook_id = ${webhookId}`,
      Prisma.sql`d.id >= ${since}`,
      Prisma.sql`a.delivery_id >= ${since}`,
    ]);
  },
});

type OutcomeRow = Awaited<ReturnType<typeof allOutcomes.rows>>[number];

const EMPTY: OutcomeTotals = { succeeded: 0, retried: 0, failed: 0, p50Ms: null, p95Ms: null };

function totalsOf(row: OutcomeRow | undefined): OutcomeTotals {
  if (!row) return { ...EMPTY };
  return {
    succeeded: row.succeeded,
    retried: row.retried,
    failed: row.failed,
    p50Ms: row.p50_ms,
    p95Ms: row.p95_ms,
  };
}

/** Every bucket of the window, in order; one without attempts is zeros. */
function series(window: ChartWindow, rows: OutcomeRow[]): OutcomeSeries {
  const byBucket = new Map(rows.filter((row) => row.bucket !== null).map((row) => [row.bucket, row]));
  const buckets = Array.from({ length: window.count }, (_, index) => ({
    start: new Date(window.from.getTime() + index * window.bucketMs),
    ...totalsOf(byBucket.get(index)),
  }));
  return { buckets, total: totalsOf(rows.find((row) => row.bucket === null)) };
}

/** Every attempt of the window (all projects), by outcome and latency per bucket. */
export async function attemptOutcomes(db: RawClient, window: ChartWindow): Promise<OutcomeSeries> {
  return series(window, await allOutcomes.rows(db, window));
}

/** One webhook's attempts of the window, by outcome and latency per bucket. */
export async function webhookAttemptOutcomes(
  db: RawClient,
  webhookId: string,
  window: ChartWindow,
): Promise<OutcomeSeries> {
  return series(window, await webhookOutcomes.rows(db, webhookId, window));
}
