import { randomBytes } from "node:crypto";
import {
  createPrismaClient,
  type Database,
  ensurePartitions,
  PARTITION_PERIOD_MS,
  PARTITIONS_AHEAD,
  partitionPeriods,
  runRetention,
} from "@hookrelay/db";
import { logRetentionRun } from "@hookrelay/dispatcher";
import { createLogger, type IdKind, idAtTime } from "@hookrelay/shared";
import pg from "pg";
import { createTestDatabase, type TestDatabase } from "./support/database.js";
import { insertProjectWithWebhook } from "./support/rows.js";

const DAY = 86_400_000;
const ULID_CHARACTERS = "0123456789abcdefghjkmnpqrstvwxyz";

/** An id as if created at `at`. */
function idFrom(kind: IdKind, at: Date): string {
  const random = [...randomBytes(16)].map((byte) => ULID_CHARACTERS[byte % 32]).join("");
  return idAtTime(kind, at, "start").slice(0, -16) + random;
}

/** The partition of `table` a row sits in. */
async function partitionOf(db: Database, table: "events" | "deliveries" | "attempts", id: string) {
  const column = table === "attempts" ? "delivery_id" : "id";
  const rows = await db.$queryRawUnsafe<Array<{ partition: string }>>(
    `SELECT tableoid::regclass::text AS partition FROM ${table} WHERE ${column} = $1 LIMIT 1`,
    id,
  );
  return rows[0]?.partition ?? null;
}

async function tableExists(db: Database, name: string): Promise<boolean> {
  const [row] = await db.$queryRaw<
    Array<{ found: boolean }>
  >`SELECT to_regclass(${name}) IS NOT NULL AS found`;
  return row?.found ?? false;
}

// Partition maintenance and partition-wise retention against real PostgreSQL. Periods lie in the future
// here (the migration's legacy partitions cover everything up to the next period), so "expired" is made by
// running retention as if it were later: the same code, a later clock.
describe("time-partitioned tables", () => {
  let database: TestDatabase;
  let db: Database;
  let projectId: string;
  let webhookId: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = createPrismaClient(database.url);
    ({ projectId, webhookId } = await insertProjectWithWebhook(db));
  });

  afterAll(async () => {
    await db?.$disconnect();
    await database?.drop();
  });

  /** An event at `at` with one delivery per status (at `deliveredAt`), each with two attempts. */
  async function event(
    at: Date,
    statuses: Array<"pending" | "succeeded" | "failed">,
    { deliveredAt = at, replayOf = null as string | null, key = null as string | null } = {},
  ) {
    const eventId = idFrom("event", at);
    const deliveries = statuses.map((status) => ({ id: idFrom("delivery", deliveredAt), status }));
    await db.$transaction([
      db.event.create({
        data: { id: eventId, projectId, eventType: "a.b", data: {}, payload: "{}", createdAt: at },
      }),
      ...(key ? [db.idempotencyKey.create({ data: { projectId, key, eventId, createdAt: at } })] : []),
      ...deliveries.map(({ id, status }) =>
        db.delivery.create({
          data: {
            id,
            projectId,
            eventId,
            webhookId,
            eventType: "a.b",
            status,
            createdAt: deliveredAt,
            replayOfId: replayOf,
          },
        }),
      ),
      ...deliveries.flatMap(({ id }) =>
        [1, 2].map((attemptNumber) =>
          db.attempt.create({
            data: {
              id: idFrom("attempt", deliveredAt),
              deliveryId: id,
              attemptNumber,
              statusCode: 500,
              latencyMs: 5,
              createdAt: deliveredAt,
            },
          }),
        ),
      ),
    ]);
    return { eventId, deliveryIds: deliveries.map((delivery) => delivery.id) };
  }

  /** A delivery of an existing event (a replay or a recovery), created at `at`. */
  async function laterDelivery(eventId: string, at: Date, replayOf: string | null) {
    const id = idFrom("delivery", at);
    await db.delivery.create({
      data: {
        id,
        projectId,
        eventId,
        webhookId,
        eventType: "a.b",
        status: "succeeded",
        createdAt: at,
        replayOfId: replayOf,
      },
    });
    return id;
  }

  it("creates each period's partitions ahead of time, once, and rows go to the partition of their time", async () => {
    const now = new Date();
    // The migration created the current period and PARTITIONS_AHEAD more, as this would: nothing left to
    // create (one more only if a period began since the template was migrated).
    const created = await ensurePartitions(db, { now });
    expect(created.length).toBeLessThanOrEqual(1);
    const periods = await partitionPeriods(db);
    expect(periods[0]?.suffix).toBe("legacy");
    // Contiguous, a period long each, reaching PARTITIONS_AHEAD periods past the current one.
    for (const [index, period] of periods.slice(1).entries()) {
      expect(period.from?.getTime()).toBe(periods[index]?.to.getTime());
      expect(period.to.getTime() - (period.from?.getTime() ?? 0)).toBe(PARTITION_PERIOD_MS);
      expect(await tableExists(db, `attempts_${period.suffix}`)).toBe(true);
      expect(await tableExists(db, `deliveries_${period.suffix}`)).toBe(true);
    }
    const currentStart = Math.floor(now.getTime() / PARTITION_PERIOD_MS) * PARTITION_PERIOD_MS;
    expect(periods.at(-1)?.to.getTime()).toBe(currentStart + (PARTITIONS_AHEAD + 1) * PARTITION_PERIOD_MS);

    expect(await ensurePartitions(db, { now })).toEqual([]);

    // A row two periods ahead lands in that period's partitions: event, delivery and its attempts together.
    const future = periods.at(-2);
    if (!future?.from) throw new Error("no period ahead");
    const at = new Date(future.from.getTime() + DAY);
    const { eventId, deliveryIds } = await event(at, ["succeeded"]);
    expect(await partitionOf(db, "events", eventId)).toBe(`events_${future.suffix}`);
    expect(await partitionOf(db, "deliveries", deliveryIds[0] ?? "")).toBe(`deliveries_${future.suffix}`);
    expect(await partitionOf(db, "attempts", deliveryIds[0] ?? "")).toBe(`attempts_${future.suffix}`);

    // Past every period: the default partition takes it (an insert never fails for want of a partition).
    const beyond = new Date((periods.at(-1)?.to.getTime() ?? 0) + PARTITION_PERIOD_MS + DAY);
    const far = await event(beyond, ["pending"]);
    expect(await partitionOf(db, "events", far.eventId)).toBe("events_default");
    expect(await partitionOf(db, "attempts", far.deliveryIds[0] ?? "")).toBe("attempts_default");

    // Its period cannot be created while those rows sit in the default partition: skipped, not an error;
    // the periods after it are created.
    const createdLater = await ensurePartitions(db, { now: beyond });
    const blockedSuffix = `p${new Date(
      Math.floor(beyond.getTime() / PARTITION_PERIOD_MS) * PARTITION_PERIOD_MS,
    )
      .toISOString()
      .slice(0, 10)
      .replaceAll("-", "")}`;
    expect(createdLater).not.toContain(blockedSuffix);
    expect(createdLater.length).toBeGreaterThan(0);
    expect(await partitionOf(db, "events", far.eventId)).toBe("events_default");

    // Each run reports them (nothing expired with this retention: they stay where they are), and the job
    // logs one error naming each default partition and its rows.
    const run = await runRetention(db, { now: beyond, retentionMs: 3_650 * DAY });
    expect(run.misplaced).toEqual([
      { partition: "attempts_default", rows: 2 },
      { partition: "deliveries_default", rows: 1 },
      { partition: "events_default", rows: 1 },
    ]);
    expect(run.failures).toEqual([]);
    expect(await partitionOf(db, "deliveries", far.deliveryIds[0] ?? "")).toBe("deliveries_default");
    const lines: Array<{ level: number; msg: string }> = [];
    logRetentionRun(
      createLogger("test", "info", { write: (line: string) => lines.push(JSON.parse(line)) }),
      run,
    );
    const errors = lines.filter((line) => line.level >= 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.msg).toContain("events_default: 1 rows");
    expect(errors[0]?.msg).toContain("attempts_default: 2 rows");
    await db.event.deleteMany({ where: { id: { in: [eventId, far.eventId] } } });
  });

  it("drops expired periods whole, keeping a period with a pending delivery or a recently replayed event until it is free", async () => {
    // Four periods after the legacy one.
    await ensurePartitions(db, { now: new Date(Date.now() + PARTITION_PERIOD_MS) });
    const periods = (await partitionPeriods(db)).filter((period) => period.from !== null);
    const [p1, p2, p3, p4] = periods;
    if (!p1?.from || !p2?.from || !p3?.from || !p4?.from) throw new Error("expected four periods ahead");
    const inside = (period: typeof p1, hours: number) =>
      new Date((period.from?.getTime() ?? 0) + hours * 3_600_000);

    // p1: finished events, one replayed within p1, one holding a change source's key (held while it
    // exists), one replayed in p2 (a finished replay, as old as p2).
    const finished = await event(inside(p1, 1), ["succeeded", "failed"], { key: "src:1:1" });
    const replayWithin = await laterDelivery(
      finished.eventId,
      inside(p1, 5),
      finished.deliveryIds[0] ?? null,
    );
    const replayedLater = await event(inside(p1, 2), ["failed"]);
    const oldReplay = await laterDelivery(
      replayedLater.eventId,
      inside(p2, 3),
      replayedLater.deliveryIds[0] ?? null,
    );
    // p2: a delivery still pending keeps the period.
    const stillRetrying = await event(inside(p2, 1), ["succeeded", "pending"]);
    const doneInP2 = await event(inside(p2, 2), ["succeeded"]);
    // p3: an event replayed in p4 (not expired) keeps the period.
    const replayed = await event(inside(p3, 1), ["failed"]);
    const doneInP3 = await event(inside(p3, 2), ["succeeded"]);
    const replay = await laterDelivery(replayed.eventId, inside(p4, 1), replayed.deliveryIds[0] ?? null);

    // As if it were later, with a retention of 10 days: p1, p2 and p3 have expired (p1 more than 10 days ago).
    const retentionMs = 10 * DAY;
    const run = await runRetention(db, { now: new Date(p3.to.getTime() + retentionMs), retentionMs });

    const outcome = (suffix: string, runOf = run) => runOf.periods.find((period) => period.suffix === suffix);
    expect(outcome(p1.suffix)).toEqual({ suffix: p1.suffix, dropped: true });
    expect(outcome(p2.suffix)).toEqual({ suffix: p2.suffix, dropped: false, reason: "pending deliveries" });
    expect(outcome(p3.suffix)).toEqual({
      suffix: p3.suffix,
      dropped: false,
      reason: "events of newer deliveries still kept",
    });
    for (const table of ["events", "deliveries", "attempts"]) {
      expect(await tableExists(db, `${table}_${p1.suffix}`)).toBe(false);
      expect(await tableExists(db, `${table}_${p2.suffix}`)).toBe(true);
      expect(await tableExists(db, `${table}_${p3.suffix}`)).toBe(true);
    }
    expect(await db.event.count({ where: { id: { in: [finished.eventId, replayedLater.eventId] } } })).toBe(
      0,
    );
    expect(await db.delivery.count({ where: { id: { in: [replayWithin, oldReplay] } } })).toBe(0);
    expect(await db.idempotencyKey.count({ where: { eventId: finished.eventId } })).toBe(0);
    // Kept periods are kept whole for now: nothing deleted row by row.
    expect(run.deleted.events).toBe(0);
    expect(await db.event.count({ where: { id: { in: [stillRetrying.eventId, doneInP2.eventId] } } })).toBe(
      2,
    );
    expect(await db.attempt.count({ where: { deliveryId: { in: stillRetrying.deliveryIds } } })).toBe(4);
    expect(await db.delivery.findUnique({ where: { id: replay } })).toMatchObject({
      eventId: replayed.eventId,
      replayOfId: replayed.deliveryIds[0],
    });

    // p4 has expired too: its replay no longer holds p3, both go whole (p4 first). p2's delivery is still
    // pending and p2 expired more than a retention span (10 days) ago: its other rows go one by one, the
    // pending one and its event stay.
    const later = await runRetention(db, { now: new Date(p4.to.getTime() + retentionMs), retentionMs });
    expect(later.periods.filter((period) => period.dropped).map((period) => period.suffix)).toEqual([
      p4.suffix,
      p3.suffix,
    ]);
    expect(await db.event.count({ where: { id: { in: [replayed.eventId, doneInP3.eventId] } } })).toBe(0);
    expect(await db.delivery.count({ where: { id: replay } })).toBe(0);
    expect(outcome(p2.suffix, later)).toMatchObject({ dropped: false });
    expect(later.deleted.events).toBe(1);
    expect(await db.event.count({ where: { id: doneInP2.eventId } })).toBe(0);
    expect(await db.delivery.count({ where: { eventId: stillRetrying.eventId } })).toBe(2);

    // Once the pending delivery has finished, p2 goes whole.
    await db.delivery.updateMany({ where: { eventId: stillRetrying.eventId }, data: { status: "failed" } });
    const last = await runRetention(db, { now: new Date(p4.to.getTime() + retentionMs), retentionMs });
    expect(outcome(p2.suffix, last)).toEqual({ suffix: p2.suffix, dropped: true });
    expect(await tableExists(db, `deliveries_${p2.suffix}`)).toBe(false);
    expect(await db.event.count({ where: { id: stillRetrying.eventId } })).toBe(0);
  });

  it("waits only a moment for a table a writer holds: a replay being inserted keeps its event's expired period, then holds it as pending", async () => {
    const [period, later] = (await partitionPeriods(db)).filter((each) => each.from !== null);
    if (!period?.from || !later?.from) throw new Error("expected two periods");
    const original = await event(new Date(period.from.getTime() + 3_600_000), ["failed"]);
    // A replay (apps/api's replayDelivery) of that event, inserted but not yet committed: its transaction
    // holds RowExclusiveLock on deliveries and a key-share lock on the event.
    const replayId = idFrom("delivery", new Date(later.from.getTime() + 3_600_000));
    const writer = new pg.Client({ connectionString: database.url, options: "-c TimeZone=UTC" });
    await writer.connect();
    try {
      await writer.query("BEGIN");
      await writer.query(
        `INSERT INTO deliveries (id, project_id, event_id, webhook_id, event_type, status, replay_of, created_at)
         VALUES ($1, $2, $3, $4, 'a.b', 'pending', $5, now())`,
        [replayId, projectId, original.eventId, webhookId, original.deliveryIds[0]],
      );

      // The period has expired by this clock. Each try waits for the tables at most 300 ms.
      const retentionMs = 10 * DAY;
      const now = new Date(period.to.getTime() + retentionMs);
      const maintenance = { lockAttempts: 2, lockRetryMs: 50 };
      const started = Date.now();
      const run = await runRetention(db, { now, retentionMs, maintenance });
      expect(Date.now() - started).toBeLessThan(3_000);
      const outcome = run.periods.find((each) => each.suffix === period.suffix);
      expect(outcome).toMatchObject({ dropped: false, busy: true });
      expect(outcome?.dropped === false && outcome.reason).toMatch(/lock timeout/);
      expect(await tableExists(db, `deliveries_${period.suffix}`)).toBe(true);
      // Creating partitions gives up the same way, without waiting.
      const far = new Date(period.to.getTime() + 100 * PARTITION_PERIOD_MS);
      const creating = Date.now();
      await expect(ensurePartitions(db, { now: far, ...maintenance })).rejects.toThrow(/lock timeout/);
      expect(Date.now() - creating).toBeLessThan(2_000);

      await writer.query("COMMIT");
      // The next run sees the pending replay: the period is kept, the replay and its event with it.
      const next = await runRetention(db, { now, retentionMs, maintenance });
      expect(next.periods.find((each) => each.suffix === period.suffix)).toEqual({
        suffix: period.suffix,
        dropped: false,
        reason: "events of newer deliveries still kept",
      });
      expect(await db.delivery.findUnique({ where: { id: replayId } })).toMatchObject({
        status: "pending",
        eventId: original.eventId,
      });
      expect(await db.event.count({ where: { id: original.eventId } })).toBe(1);
    } finally {
      await writer.query("ROLLBACK").catch(() => undefined);
      await writer.end();
    }
  }, 20_000);

  it("gets the tables past the short reads of a busy install: a read in flight delays a drop a moment, never stops it", async () => {
    const periods = (await partitionPeriods(db)).filter((each) => each.from !== null);
    const period = periods[2];
    if (!period?.from) throw new Error("expected a third period");
    const done = await event(new Date(period.from.getTime() + 3_600_000), ["succeeded", "failed"]);
    const reader = new pg.Client({ connectionString: database.url, options: "-c TimeZone=UTC" });
    await reader.connect();
    try {
      // A read in flight holds ACCESS SHARE on deliveries until its transaction ends, 150 ms from now.
      await reader.query("BEGIN");
      await reader.query("SELECT count(*) FROM deliveries");
      const ending = new Promise((resolve) => setTimeout(resolve, 150)).then(() => reader.query("COMMIT"));
      const retentionMs = 10 * DAY;
      const run = await runRetention(db, {
        now: new Date(period.to.getTime() + retentionMs),
        retentionMs,
        maintenance: { lockAttempts: 1 },
      });
      await ending;
      expect(run.periods.find((each) => each.suffix === period.suffix)).toEqual({
        suffix: period.suffix,
        dropped: true,
      });
      expect(await db.event.count({ where: { id: done.eventId } })).toBe(0);
    } finally {
      await reader.end();
    }
  });
});
