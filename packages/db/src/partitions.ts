import { idAtTime, idTime } from "@hookrelay/shared";
import type { Database } from "./client.js";
import { Prisma } from "./generated/prisma/client.js";
import { rawQuery } from "./raw-rows.js";

// events, deliveries and attempts are range-partitioned by time-sortable ids (see the migration
// 20261201230000_time_partitioned_tables): events and deliveries by their id, attempts by their delivery's
// id. Partition k of each table covers the same period, named <table>_p<yyyymmdd of its start>; retention
// drops the three together. <table>_legacy holds every id before the first period (the rows of an install
// that existed before partitioning), <table>_default whatever no partition covers.

const DAY_MS = 86_400_000;

/** The length of a partition's period. The migration's legacy partitions end on a multiple of it. */
export const PARTITION_PERIOD_MS = 7 * DAY_MS;

/** Periods created ahead of the current one, so inserts never reach the default partitions. */
export const PARTITIONS_AHEAD = 3;

/** Dropped in this order: each references the next. */
const TABLES = [
  { table: "attempts", idKind: "delivery" },
  { table: "deliveries", idKind: "delivery" },
  { table: "events", idKind: "event" },
] as const;

// Partition DDL waits at most this long for the tables' locks (a long read holds them): better to try again
// at the next run than to queue every insert behind the DDL.
const LOCK_TIMEOUT = "5s";
// Serializes partition maintenance between processes (any bigint; "hookrelay partitions").
const MAINTENANCE_LOCK = 0x686b_7061_7274n;

// Partition names and bounds cannot be bind parameters: they are written into the statement, and only ever
// ones this module computes (the tables above, suffixes of the form below, ids from idAtTime), quoted anyway.
const PARTITION_SUFFIX = /^(?:legacy|p\d{8})$/;
const quotedName = (name: string) => `"${name.replaceAll('"', '""')}"`;
const quotedText = (text: string) => `'${text.replaceAll("'", "''")}'`;
const partitionName = (table: string, suffix: string) => {
  if (!PARTITION_SUFFIX.test(suffix)) throw new Error(`not a partition suffix: ${JSON.stringify(suffix)}`);
  return quotedName(`${table}_${suffix}`);
};

const lockTimeout = rawQuery({
  name: "partition maintenance lock timeout",
  columns: {},
  row: {},
  sql: () => Prisma.sql`SET LOCAL lock_timeout = '${Prisma.raw(LOCK_TIMEOUT)}'`,
});

const maintenanceLock = rawQuery({
  name: "lock partition maintenance",
  columns: {},
  row: { pg_advisory_xact_lock: "void" },
  sql: () => Prisma.sql`SELECT pg_advisory_xact_lock(${Prisma.raw(MAINTENANCE_LOCK.toString())})`,
});

/** One period's partitions of the three tables. `from` null: the legacy partitions (from the first id). */
export interface PartitionPeriod {
  /** The suffix after `<table>_`: `p20261203`, or `legacy`. */
  suffix: string;
  from: Date | null;
  to: Date;
}

const eventPartitions = rawQuery({
  name: "partitions of events",
  columns: {},
  row: { name: "text", bound: "text" },
  sql: () => Prisma.sql`
    SELECT c.relname::text AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'events'::regclass`,
});

/** The periods with partitions, oldest first (the default partitions are not a period). */
export async function partitionPeriods(db: Database): Promise<PartitionPeriod[]> {
  const rows = await eventPartitions.rows(db);
  const periods: PartitionPeriod[] = [];
  for (const { name, bound } of rows) {
    const match = /^FOR VALUES FROM \((?:MINVALUE|'([^']+)')\) TO \('([^']+)'\)$/.exec(bound);
    if (!match?.[2]) continue;
    periods.push({
      suffix: name.slice("events_".length),
      from: match[1] ? idTime(match[1]) : null,
      to: idTime(match[2]),
    });
  }
  return periods.sort((a, b) => a.to.getTime() - b.to.getTime());
}

const boundId = (kind: "event" | "delivery", at: Date) => idAtTime(kind, at, "start");
const suffixFor = (start: Date) => `p${start.toISOString().slice(0, 10).replaceAll("-", "")}`;

export interface EnsureOptions {
  now?: Date;
  periodMs?: number;
  ahead?: number;
}

/**
 * Creates the partitions of every period from the newest existing one (or the current period) up to
 * `ahead` periods after the current one, all three tables of a period in one transaction. A period whose
 * rows already sit in a default partition (maintenance did not run for that long) cannot be created: it is
 * skipped, its rows stay in the default partition (retention deletes them row by row) and the next period
 * is created. Returns the suffixes created.
 */
export async function ensurePartitions(
  db: Database,
  { now = new Date(), periodMs = PARTITION_PERIOD_MS, ahead = PARTITIONS_AHEAD }: EnsureOptions = {},
): Promise<string[]> {
  const created: string[] = [];
  const currentStart = Math.floor(now.getTime() / periodMs) * periodMs;
  const until = currentStart + (ahead + 1) * periodMs;
  const newest = (await partitionPeriods(db)).at(-1);
  let start = newest ? newest.to.getTime() : currentStart;
  // Periods already past (maintenance did not run for a while) are created too, empty unless their rows
  // went to the default partition (then skipped): retention drops them like any other.
  for (let guard = 0; start < until && guard < 1_000; guard++) {
    const from = new Date(start);
    const to = new Date(start + periodMs);
    const suffix = suffixFor(from);
    try {
      await db.$transaction([
        lockTimeout.execute(db),
        maintenanceLock.execute(db),
        ...[...TABLES].reverse().map(({ table, idKind }) =>
          db.$executeRawUnsafe(
            `CREATE TABLE IF NOT EXISTS ${partitionName(table, suffix)} PARTITION OF ${quotedName(table)}
             FOR VALUES FROM (${quotedText(boundId(idKind, from))}) TO (${quotedText(boundId(idKind, to))})`,
          ),
        ),
      ]);
      created.push(suffix);
    } catch (error) {
      if (!String((error as Error).message).includes("default partition")) throw error;
    }
    start += periodMs;
  }
  return created;
}

const pendingInPeriod = rawQuery({
  name: "pending deliveries of a period",
  columns: { deliveries: ["status"] },
  row: { found: "bool" },
  sql: (suffix: string) => {
    const partition = Prisma.raw(partitionName("deliveries", suffix));
    return Prisma.sql`SELECT EXISTS (SELECT 1 FROM ${partition} WHERE status = 'pending') AS found`;
  },
});

/** Deliveries of the period's events, in later periods: [deliveryTo, …) by id, [eventFrom, eventTo) by event. */
interface LaterDeliveries {
  deliveryTo: string;
  eventFrom: string;
  eventTo: string;
}

const keptLaterDeliveries = rawQuery({
  name: "kept later deliveries of a period's events",
  columns: { deliveries: ["id", "event_id", "status", "created_at"] },
  row: { found: "bool" },
  sql: ({ deliveryTo, eventFrom, eventTo }: LaterDeliveries, cutoff: Date) => Prisma.sql`
        SELECT EXISTS (SELECT 1 FROM deliveries
                       WHERE id >= ${deliveryTo} AND event_id >= ${eventFrom} AND event_id < ${eventTo}
                         AND (status = 'pending' OR created_at >= ${cutoff}::timestamptz)) AS found`,
});

const laterDeliveriesDeletion = rawQuery({
  name: "delete later deliveries of a period's events",
  columns: { deliveries: ["id", "event_id"] },
  row: {},
  sql: ({ deliveryTo, eventFrom, eventTo }: LaterDeliveries) => Prisma.sql`
        DELETE FROM deliveries WHERE id >= ${deliveryTo} AND event_id >= ${eventFrom} AND event_id < ${eventTo}`,
});

const periodKeysDeletion = rawQuery({
  name: "delete idempotency keys of a period's events",
  columns: { idempotency_keys: ["event_id"] },
  row: {},
  sql: (eventFrom: string, eventTo: string) => Prisma.sql`
        DELETE FROM idempotency_keys WHERE event_id >= ${eventFrom} AND event_id < ${eventTo}`,
});

const periodReplaysRelease = rawQuery({
  name: "clear replays of a period's deliveries",
  columns: { deliveries: ["replay_of"] },
  row: {},
  sql: (deliveryFrom: string, deliveryTo: string) => Prisma.sql`
        UPDATE deliveries SET replay_of = NULL WHERE replay_of >= ${deliveryFrom} AND replay_of < ${deliveryTo}`,
});

export type PeriodOutcome =
  | { suffix: string; dropped: true }
  | { suffix: string; dropped: false; reason: string };

/**
 * Drops one period's partitions (attempts, deliveries, events), expired before `cutoff`, if nothing in them
 * may still be needed: no delivery in it is pending, and no newer delivery that is pending or younger than
 * the cutoff (a recent replay or recovery) belongs to one of its events. Newer deliveries of its events
 * that have expired too (a replay in a period kept for another reason) are deleted first, as row-by-row
 * retention would have; replays of its deliveries lose their `replay_of` (as ON DELETE SET NULL would do);
 * the idempotency keys of its events go. One transaction: a delivery that starts to reference the period
 * meanwhile makes DETACH fail on its foreign key, and the whole drop waits for the next run.
 */
export async function dropPeriod(
  db: Database,
  period: PartitionPeriod,
  cutoff: Date,
): Promise<PeriodOutcome> {
  const { suffix } = period;
  const eventTo = boundId("event", period.to);
  const eventFrom = period.from ? boundId("event", period.from) : "";
  const deliveryTo = boundId("delivery", period.to);
  const deliveryFrom = period.from ? boundId("delivery", period.from) : "";
  return db.$transaction(
    async (tx): Promise<PeriodOutcome> => {
      await lockTimeout.execute(tx);
      await maintenanceLock.execute(tx);
      const [pending] = await pendingInPeriod.rows(tx, suffix);
      if (pending?.found) return { suffix, dropped: false, reason: "pending deliveries" };
      // Deliveries are never older than their event, so only later periods (and the default partition) can
      // hold a delivery of these events; each later partition answers from its event_id index.
      const later = { deliveryTo, eventFrom, eventTo };
      const [live] = await keptLaterDeliveries.rows(tx, later, cutoff);
      if (live?.found) return { suffix, dropped: false, reason: "events of newer deliveries still kept" };
      await laterDeliveriesDeletion.execute(tx, later);
      await periodKeysDeletion.execute(tx, eventFrom, eventTo);
      await periodReplaysRelease.execute(tx, deliveryFrom, deliveryTo);
      for (const { table } of TABLES) {
        const partition = partitionName(table, suffix);
        await tx.$executeRawUnsafe(`ALTER TABLE ${quotedName(table)} DETACH PARTITION ${partition}`);
        await tx.$executeRawUnsafe(`DROP TABLE ${partition}`);
      }
      return { suffix, dropped: true };
    },
    { timeout: 120_000 },
  );
}

/**
 * Drops every period that ended before `cutoff` and can go (see dropPeriod), newest first: deliveries only
 * reference events and deliveries as old as themselves or older, so once the newer periods are gone the
 * older ones are free of references from them.
 *
 * Returns what happened to each, and `rowCutoff`: rows created before it that are still there are to be
 * deleted one by one. That is `cutoff` while the legacy partition (the rows from before partitioning) has
 * not wholly expired, and otherwise the end of the periods that expired more than `graceMs` ago and are
 * still there (a delivery stuck pending, an event replayed again and again): an expired period waits that
 * long to be dropped whole before its rows go one by one. Rows of a period not yet expired never do.
 */
export async function dropExpiredPeriods(
  db: Database,
  cutoff: Date,
  { graceMs }: { graceMs: number },
): Promise<{ outcomes: PeriodOutcome[]; rowCutoff: Date }> {
  const periods = await partitionPeriods(db);
  const expired = periods.filter((period) => period.to.getTime() <= cutoff.getTime());
  const outcomes: PeriodOutcome[] = [];
  for (const period of expired.reverse()) {
    try {
      outcomes.push(await dropPeriod(db, period, cutoff));
    } catch (error) {
      // A reference that appeared meanwhile (DETACH checks the foreign keys) or a lock not granted in time:
      // nothing was changed, the next run tries again.
      const reason =
        String((error as Error).message)
          .split("\n")
          .filter(Boolean)
          .at(-1) ?? "failed";
      outcomes.push({ suffix: period.suffix, dropped: false, reason });
    }
  }
  const legacy = periods.find((period) => period.from === null);
  if (legacy && legacy.to.getTime() > cutoff.getTime()) return { outcomes, rowCutoff: cutoff };
  // Periods are contiguous after the legacy one: rows before the end of the last period expired for more
  // than graceMs are the ones to delete one by one (none if it was dropped).
  const stale = cutoff.getTime() - graceMs;
  const staleEnds = periods.map((period) => period.to.getTime()).filter((to) => to <= stale);
  const first = periods[0]?.from?.getTime() ?? stale;
  const rowCutoff = new Date(staleEnds.length > 0 ? Math.max(...staleEnds) : Math.min(first, stale));
  return { outcomes, rowCutoff };
}
