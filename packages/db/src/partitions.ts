import { idAtTime, idTime } from "@hookrelay/shared";
import type { Database } from "./client.js";
import { Prisma } from "./generated/prisma/client.js";
import { postgresErrorCode } from "./postgres-errors.js";
import { type RawClient, rawQuery } from "./raw-rows.js";

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

// Partition DDL locks tables every writer uses: CREATE … PARTITION OF takes ACCESS EXCLUSIVE on the parent
// and its default partition and SHARE ROW EXCLUSIVE on the tables its foreign keys reference; DETACH and
// DROP take ACCESS EXCLUSIVE on every partition of the three tables and on projects, webhooks and
// idempotency_keys (measured in pg_locks). Writers lock those tables in their own orders (ingest:
// idempotency_keys → events → deliveries; auto-disable: webhooks → deliveries; attempt recording:
// attempts → deliveries), so DDL taking them one at a time while holding the earlier ones deadlocked with
// them, and DDL queued behind a long read stalled every writer queued behind it. So each maintenance
// transaction takes every table lock it needs first (one LOCK statement per lock mode, in a fixed order),
// waiting at most TABLE_LOCK_WAIT: on a busy install some query always holds a table for a few
// milliseconds, so giving up at once (NOWAIT) would never get them; a writer queued meanwhile waits at most
// that long, and a writer that would deadlock with it gets its way (the lock wait ends before PostgreSQL's
// deadlock check, 1 s). Not granted: it gives up, holding nothing, and tries again a moment later (at most
// `lockAttempts` times in a run), else at the next run. Once it holds the tables it never waits long.
const PARENTS = "events, deliveries, attempts";
const REFERENCED = "projects, webhooks, idempotency_keys";

/** How partition maintenance takes its locks and how long it may hold them. */
export interface MaintenanceOptions {
  /** Tries per period when a table is busy (each waits at most TABLE_LOCK_WAIT). */
  lockAttempts?: number;
  /** Pause between two tries. */
  lockRetryMs?: number;
  /**
   * The longest a transaction may hold the tables (statement_timeout, set from what is left of it before
   * each statement). DETACH checks the foreign keys by scanning the other partitions of the referencing
   * tables, so a drop's cost grows with the tables: 1.4-4.9 s for a run dropping three periods (1.1 M
   * rows in all, 2-core box; bench/size.js). Past the budget the drop is rolled back and tried next run.
   */
  budgetMs?: number;
}

const MAINTENANCE_DEFAULTS: Required<MaintenanceOptions> = {
  lockAttempts: 10,
  lockRetryMs: 2_000,
  budgetMs: 60_000,
};

// Waiting for the maintenance lock holds nothing; once the tables are locked, a lock forgotten in the list
// above must fail fast rather than wait while holding them.
const MAINTENANCE_LOCK_WAIT = "5s";
const TABLE_LOCK_WAIT = "300ms";
const LOCK_WAIT_WHILE_HOLDING = "100ms";
// Serializes partition maintenance between processes (any bigint; "hookrelay partitions").
const MAINTENANCE_LOCK = 0x686b_7061_7274n;
const LOCK_NOT_AVAILABLE = "55P03";

// Partition names and bounds cannot be bind parameters: they are written into the statement, and only ever
// ones this module computes (the tables above, suffixes of the form below, ids from idAtTime), quoted anyway.
const PARTITION_SUFFIX = /^(?:legacy|default|p\d{8})$/;
const quotedName = (name: string) => `"${name.replaceAll('"', '""')}"`;
const quotedText = (text: string) => `'${text.replaceAll("'", "''")}'`;
const partitionName = (table: string, suffix: string) => {
  if (!PARTITION_SUFFIX.test(suffix)) throw new Error(`not a partition suffix: ${JSON.stringify(suffix)}`);
  return quotedName(`${table}_${suffix}`);
};

const transactionSetting = rawQuery({
  name: "set a maintenance transaction's timeout",
  columns: {},
  row: { value: "text" },
  sql: (setting: "lock_timeout" | "statement_timeout", value: string) =>
    Prisma.sql`SELECT set_config(${setting}, ${value}, true) AS value`,
});

const maintenanceLock = rawQuery({
  name: "lock partition maintenance",
  columns: {},
  row: { pg_advisory_xact_lock: "void" },
  sql: () => Prisma.sql`SELECT pg_advisory_xact_lock(${Prisma.raw(MAINTENANCE_LOCK.toString())})`,
});

const creationLocks = rawQuery({
  name: "lock tables for creating partitions",
  columns: {},
  row: {},
  sql: () => Prisma.sql`LOCK TABLE ${Prisma.raw(PARENTS)} IN ACCESS EXCLUSIVE MODE`,
});

const creationReferenceLocks = rawQuery({
  name: "lock referenced tables for creating partitions",
  columns: {},
  row: {},
  sql: () => Prisma.sql`LOCK TABLE ${Prisma.raw(REFERENCED)} IN SHARE ROW EXCLUSIVE MODE`,
});

const dropLocks = rawQuery({
  name: "lock tables for dropping a period",
  columns: {},
  row: {},
  sql: () => Prisma.sql`LOCK TABLE ${Prisma.raw(`${PARENTS}, ${REFERENCED}`)} IN ACCESS EXCLUSIVE MODE`,
});

/** True when the error is a lock not granted in time: the tables were busy. */
const isBusy = (error: unknown) => postgresErrorCode(error) === LOCK_NOT_AVAILABLE;

/** The last line of an error's message (Prisma puts the database's message last). */
export function errorReason(error: unknown): string {
  return (
    String((error as Error)?.message ?? error)
      .split("\n")
      .filter(Boolean)
      .at(-1) ?? "failed"
  );
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `work` up to `lockAttempts` times while it fails because a table was busy; rethrows the last such
 * error (and any other at once).
 */
async function whileBusy<T>(work: () => Promise<T>, options: Required<MaintenanceOptions>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!isBusy(error) || attempt >= options.lockAttempts) throw error;
      await pause(options.lockRetryMs);
    }
  }
}

/** Sets statement_timeout to what is left before `deadline` (a statement past it is cancelled). */
const boundedBy = (tx: RawClient, deadline: number) =>
  transactionSetting.rows(tx, "statement_timeout", `${Math.max(1, deadline - Date.now())}ms`);

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

export interface EnsureOptions extends MaintenanceOptions {
  now?: Date;
  periodMs?: number;
  ahead?: number;
}

/** The start of the period `now` falls in, and the end of the last period that should exist by then. */
function periodsDue(now: Date, periodMs: number, ahead: number) {
  const currentStart = Math.floor(now.getTime() / periodMs) * periodMs;
  return { currentStart, until: currentStart + (ahead + 1) * periodMs };
}

/**
 * Creates the partitions of every period from the newest existing one (or the current period) up to
 * `ahead` periods after the current one, all three tables of a period in one transaction that takes its
 * locks up front (see MaintenanceOptions). A period whose rows already sit in a default partition
 * (maintenance did not run for that long) cannot be created: it is skipped, its rows stay in the default
 * partition (retention deletes them row by row; rowsInDefaultPartitions reports them) and the next period
 * is created. Returns the suffixes created; throws when the tables stayed busy (nothing half done: the
 * periods created so far are contiguous, the next run carries on).
 */
export async function ensurePartitions(
  db: Database,
  {
    now = new Date(),
    periodMs = PARTITION_PERIOD_MS,
    ahead = PARTITIONS_AHEAD,
    ...maintenance
  }: EnsureOptions = {},
): Promise<string[]> {
  const options = { ...MAINTENANCE_DEFAULTS, ...maintenance };
  const created: string[] = [];
  const { currentStart, until } = periodsDue(now, periodMs, ahead);
  const newest = (await partitionPeriods(db)).at(-1);
  let start = newest ? newest.to.getTime() : currentStart;
  // Periods already past (maintenance did not run for a while) are created too, empty unless their rows
  // went to the default partition (then skipped): retention drops them like any other.
  for (let guard = 0; start < until && guard < 1_000; guard++) {
    const from = new Date(start);
    const to = new Date(start + periodMs);
    const suffix = suffixFor(from);
    const create = () =>
      db.$transaction([
        transactionSetting.rows(db, "lock_timeout", MAINTENANCE_LOCK_WAIT),
        transactionSetting.rows(db, "statement_timeout", `${options.budgetMs}ms`),
        maintenanceLock.execute(db),
        transactionSetting.rows(db, "lock_timeout", TABLE_LOCK_WAIT),
        creationLocks.execute(db),
        creationReferenceLocks.execute(db),
        transactionSetting.rows(db, "lock_timeout", LOCK_WAIT_WHILE_HOLDING),
        ...[...TABLES].reverse().map(({ table, idKind }) =>
          db.$executeRawUnsafe(
            `CREATE TABLE IF NOT EXISTS ${partitionName(table, suffix)} PARTITION OF ${quotedName(table)}
             FOR VALUES FROM (${quotedText(boundId(idKind, from))}) TO (${quotedText(boundId(idKind, to))})`,
          ),
        ),
      ]);
    try {
      await whileBusy(create, options);
      created.push(suffix);
    } catch (error) {
      if (!String((error as Error).message).includes("default partition")) throw error;
    }
    start += periodMs;
  }
  return created;
}

/** Rows in a default partition that belong to a period that should exist by now. */
export interface MisplacedRows {
  /** The default partition (`events_default`, …). */
  partition: string;
  rows: number;
}

const defaultPartitionRows = rawQuery({
  name: "rows of due periods in a default partition",
  columns: { events: ["id"], deliveries: ["id"], attempts: ["delivery_id"] },
  row: { rows: "int4" },
  sql: (table: (typeof TABLES)[number]["table"], before: string) => {
    const column = Prisma.raw(table === "attempts" ? "delivery_id" : "id");
    return Prisma.sql`SELECT count(*)::int AS rows FROM ${Prisma.raw(partitionName(table, "default"))}
                      WHERE ${column} < ${before}`;
  },
});

/**
 * Rows that sit in a default partition although their period should have partitions by `now`: their
 * period could not be created (the migration ran shortly before a period's end and maintenance had not run
 * since, or an old dispatcher without maintenance kept writing). They are safe there (retention deletes
 * them row by row once expired), but they block their period's partitions, so that whole period goes to
 * the default partition: an operator should know. Each count reads the default partition's id index.
 */
export async function rowsInDefaultPartitions(
  db: Database,
  { now = new Date(), periodMs = PARTITION_PERIOD_MS, ahead = PARTITIONS_AHEAD } = {},
): Promise<MisplacedRows[]> {
  const { until } = periodsDue(now, periodMs, ahead);
  const misplaced: MisplacedRows[] = [];
  for (const { table, idKind } of TABLES) {
    const [count] = await defaultPartitionRows.rows(db, table, boundId(idKind, new Date(until)));
    if (count && count.rows > 0) misplaced.push({ partition: `${table}_default`, rows: count.rows });
  }
  return misplaced;
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

// The same rows as the check above leaves: never a pending delivery, never one created after the cutoff,
// whatever happened between the two statements.
const laterDeliveriesDeletion = rawQuery({
  name: "delete later deliveries of a period's events",
  columns: { deliveries: ["id", "event_id", "status", "created_at"] },
  row: {},
  sql: ({ deliveryTo, eventFrom, eventTo }: LaterDeliveries, cutoff: Date) => Prisma.sql`
        DELETE FROM deliveries
        WHERE id >= ${deliveryTo} AND event_id >= ${eventFrom} AND event_id < ${eventTo}
          AND status <> 'pending' AND created_at < ${cutoff}::timestamptz`,
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
  /** `busy`: a table was locked by another transaction at each try; nothing was looked at. */
  | { suffix: string; dropped: false; reason: string; busy?: true };

/**
 * Drops one period's partitions (attempts, deliveries, events), expired before `cutoff`, if nothing in them
 * may still be needed: no delivery in it is pending, and no newer delivery that is pending or younger than
 * the cutoff (a recent replay or recovery) belongs to one of its events. Newer deliveries of its events
 * that have expired too (a replay in a period kept for another reason) are deleted first, as row-by-row
 * retention would have; replays of its deliveries lose their `replay_of` (as ON DELETE SET NULL would do);
 * the idempotency keys of its events go.
 *
 * One transaction that locks every table it touches before it looks (see MaintenanceOptions): while it
 * holds them no replay, recovery or retry can start to reference the period or finish, so what the checks
 * see is what is dropped. Were the checks made before the locks, a replay committed in between would be
 * deleted although pending. Tables busy: the period is kept for this run (`busy`).
 */
export async function dropPeriod(
  db: Database,
  period: PartitionPeriod,
  cutoff: Date,
  maintenance: MaintenanceOptions = {},
): Promise<PeriodOutcome> {
  const options = { ...MAINTENANCE_DEFAULTS, ...maintenance };
  const { suffix } = period;
  const eventTo = boundId("event", period.to);
  const eventFrom = period.from ? boundId("event", period.from) : "";
  const deliveryTo = boundId("delivery", period.to);
  const deliveryFrom = period.from ? boundId("delivery", period.from) : "";
  const drop = () =>
    db.$transaction(
      async (tx): Promise<PeriodOutcome> => {
        await transactionSetting.rows(tx, "lock_timeout", MAINTENANCE_LOCK_WAIT);
        await maintenanceLock.execute(tx);
        await transactionSetting.rows(tx, "lock_timeout", TABLE_LOCK_WAIT);
        await dropLocks.execute(tx);
        const deadline = Date.now() + options.budgetMs;
        await transactionSetting.rows(tx, "lock_timeout", LOCK_WAIT_WHILE_HOLDING);
        await boundedBy(tx, deadline);
        const [pending] = await pendingInPeriod.rows(tx, suffix);
        if (pending?.found) return { suffix, dropped: false, reason: "pending deliveries" };
        // Deliveries are never older than their event, so only later periods (and the default partition)
        // can hold a delivery of these events; each later partition answers from its event_id index.
        const later = { deliveryTo, eventFrom, eventTo };
        await boundedBy(tx, deadline);
        const [live] = await keptLaterDeliveries.rows(tx, later, cutoff);
        if (live?.found) return { suffix, dropped: false, reason: "events of newer deliveries still kept" };
        await boundedBy(tx, deadline);
        await laterDeliveriesDeletion.execute(tx, later, cutoff);
        await boundedBy(tx, deadline);
        await periodKeysDeletion.execute(tx, eventFrom, eventTo);
        await boundedBy(tx, deadline);
        await periodReplaysRelease.execute(tx, deliveryFrom, deliveryTo);
        for (const { table } of TABLES) {
          const partition = partitionName(table, suffix);
          await boundedBy(tx, deadline);
          await tx.$executeRawUnsafe(`ALTER TABLE ${quotedName(table)} DETACH PARTITION ${partition}`);
          await boundedBy(tx, deadline);
          await tx.$executeRawUnsafe(`DROP TABLE ${partition}`);
        }
        return { suffix, dropped: true };
      },
      // Prisma's own timeout does not cancel a running statement (statement_timeout does): only a backstop.
      { timeout: options.budgetMs + 15_000 },
    );
  try {
    return await whileBusy(drop, options);
  } catch (error) {
    if (!isBusy(error)) throw error;
    return { suffix, dropped: false, reason: `busy: ${errorReason(error)}`, busy: true };
  }
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
  { graceMs, ...maintenance }: { graceMs: number } & MaintenanceOptions,
): Promise<{ outcomes: PeriodOutcome[]; rowCutoff: Date }> {
  const periods = await partitionPeriods(db);
  const expired = periods.filter((period) => period.to.getTime() <= cutoff.getTime());
  const outcomes: PeriodOutcome[] = [];
  for (const period of expired.reverse()) {
    try {
      outcomes.push(await dropPeriod(db, period, cutoff, maintenance));
    } catch (error) {
      // A reference that appeared meanwhile (DETACH checks the foreign keys) or the budget spent: rolled
      // back, the next run tries again.
      outcomes.push({ suffix: period.suffix, dropped: false, reason: errorReason(error) });
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
