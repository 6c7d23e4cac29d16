import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import {
  createPrismaClient,
  type Database,
  ensurePartitions,
  idempotencyKeyHolder,
  insertEventsWithDeliveries,
  PARTITION_PERIOD_MS,
  PARTITIONS_AHEAD,
  partitionPeriods,
} from "@hookrelay/db";
import { newId } from "@hookrelay/shared";
import pg from "pg";
import { databaseUrl, dropDatabase, withAdminClient } from "./support/postgres-admin.js";

const MIGRATIONS = path.resolve(import.meta.dirname, "../prisma/migrations");
const PARTITIONING = "20261201230000_time_partitioned_tables";
const HOUR = 3_600_000;

/** Every row of a table as text, in id order: equal before and after means no row was lost or changed. */
const FINGERPRINT = (table: string, key: string) =>
  `SELECT count(*)::int AS rows, md5(coalesce(string_agg(t::text, '|' ORDER BY ${key}), '')) AS digest FROM ${table} t`;

// An install from before partitioning, with rows, migrated: the rows are all there, in the legacy
// partitions, with their keys, references and cascades working.
describe("the partitioning migration on an existing install", () => {
  const name = `hookrelay_test_partition_migration_${randomBytes(4).toString("hex")}`;
  let client: pg.Client;
  let db: Database | undefined;

  beforeAll(async () => {
    await withAdminClient((admin) => admin.query(`CREATE DATABASE "${name}"`));
    client = new pg.Client({ connectionString: databaseUrl(name) });
    await client.connect();
  });

  afterAll(async () => {
    await db?.$disconnect();
    await client?.end();
    await withAdminClient((admin) => dropDatabase(admin, name));
  });

  const migrations = readdirSync(MIGRATIONS)
    .filter((entry) => /^\d{14}_/.test(entry))
    .sort();
  const apply = (folder: string) =>
    client.query(readFileSync(path.join(MIGRATIONS, folder, "migration.sql"), "utf8"));

  it("keeps every event, delivery, attempt and idempotency key", async () => {
    for (const folder of migrations.filter((entry) => entry < PARTITIONING)) await apply(folder);

    const projectId = newId("project");
    const webhookId = newId("webhook");
    const now = Date.now();
    const at = (hoursAgo: number) => new Date(now - hoursAgo * HOUR);
    const ids = {
      paid: newId("event", at(2).getTime()),
      captured: newId("event", at(2).getTime()),
      postedDb: newId("event", at(2).getTime()),
      old: newId("event", at(40 * 24).getTime()),
      first: newId("delivery", at(2).getTime()),
      replay: newId("delivery", at(1).getTime()),
      oldDelivery: newId("delivery", at(40 * 24).getTime()),
    };
    await client.query("INSERT INTO projects (id, name) VALUES ($1, 'p')", [projectId]);
    await client.query(
      `INSERT INTO webhooks (id, project_id, url, event_types, secret_ciphertext, updated_at)
       VALUES ($1, $2, 'https://hooks.example.com', '{*}', 'x', now())`,
      [webhookId, projectId],
    );
    const event = (id: string, type: string, key: string | null, created: Date) =>
      client.query(
        `INSERT INTO events (id, project_id, event_type, data, payload, idempotency_key, created_at)
         VALUES ($1, $2, $3, '{"n":1}', '{"event_type":"x"}', $4, $5)`,
        [id, projectId, type, key, created],
      );
    await event(ids.paid, "order.paid", "pay-1", at(2));
    // A change source's key (held while its event exists) and a key an API client posted with a `db.*`
    // type (free after 24 h like any posted key): told apart by the key, not the type.
    const captureKey = `${newId("source")}:777:42`;
    await event(ids.captured, "db.public.orders.insert", captureKey, at(2));
    await event(ids.postedDb, "db.public.orders.insert", "import-7", at(2));
    await event(ids.old, "order.paid", "pay-0", at(40 * 24));
    const delivery = (id: string, eventId: string, replayOf: string | null, created: Date) =>
      client.query(
        `INSERT INTO deliveries (id, project_id, event_id, webhook_id, event_type, status, replay_of, created_at)
         VALUES ($1, $2, $3, $4, 'order.paid', 'succeeded', $5, $6)`,
        [id, projectId, eventId, webhookId, replayOf, created],
      );
    await delivery(ids.first, ids.paid, null, at(2));
    await delivery(ids.replay, ids.paid, ids.first, at(1));
    await delivery(ids.oldDelivery, ids.old, null, at(40 * 24));
    for (const [deliveryId, attempts] of [
      [ids.first, 2],
      [ids.replay, 1],
      [ids.oldDelivery, 1],
    ] as const) {
      for (let n = 1; n <= attempts; n++) {
        await client.query(
          `INSERT INTO attempts (id, delivery_id, attempt_number, status_code, latency_ms) VALUES ($1, $2, $3, 200, 5)`,
          [newId("attempt"), deliveryId, n],
        );
      }
    }
    const fingerprints = async () => ({
      events: (await client.query(FINGERPRINT("events", "id"))).rows[0],
      deliveries: (await client.query(FINGERPRINT("deliveries", "id"))).rows[0],
      attempts: (await client.query(FINGERPRINT("attempts", "id"))).rows[0],
    });
    const before = await fingerprints();
    expect(before.attempts.rows).toBe(4);

    await apply(PARTITIONING);

    expect(await fingerprints()).toEqual(before);
    const partitioned = await client.query(
      `SELECT c.relname::text AS name FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid ORDER BY 1`,
    );
    expect(partitioned.rows.map((row) => row.name)).toEqual(["attempts", "deliveries", "events"]);
    const where = await client.query(
      `SELECT DISTINCT tableoid::regclass::text AS partition FROM events
       UNION SELECT DISTINCT tableoid::regclass::text FROM deliveries
       UNION SELECT DISTINCT tableoid::regclass::text FROM attempts ORDER BY 1`,
    );
    expect(where.rows.map((row) => row.partition)).toEqual([
      "attempts_legacy",
      "deliveries_legacy",
      "events_legacy",
    ]);

    // Keys: the API's are held for 24 h from their event, a change source's while its event exists.
    const keys = await client.query(
      `SELECT key, event_id, (extract(epoch FROM expires_at - created_at) / 3600)::int AS hours FROM idempotency_keys ORDER BY key`,
    );
    expect(keys.rows.map((row) => [row.key, row.event_id, row.hours])).toEqual([
      ["import-7", ids.postedDb, 24],
      ["pay-0", ids.old, 24],
      ["pay-1", ids.paid, 24],
      [captureKey, ids.captured, null],
    ]);

    db = createPrismaClient(databaseUrl(name));
    expect(await idempotencyKeyHolder(db, { projectId, key: "pay-1" })).toMatchObject({
      id: ids.paid,
      deliveries: 1,
    });
    expect(await idempotencyKeyHolder(db, { projectId, key: "pay-0" })).toBeNull();
    // The old key is free again: a new event takes it; the held one refuses a repeat.
    const offer = (key: string) => {
      const createdAt = new Date();
      return insertEventsWithDeliveries(db as Database, [
        {
          id: newId("event", createdAt.getTime()),
          projectId,
          eventType: "order.paid",
          dataJson: "{}",
          payload: "{}",
          idempotencyKey: key,
          idempotencyExpiresAt: new Date(createdAt.getTime() + 24 * HOUR),
          createdAt,
          deliveries: [{ id: newId("delivery", createdAt.getTime()), webhookId }],
        },
      ]);
    };
    expect((await offer("pay-0")).size).toBe(1);
    expect((await offer("pay-1")).size).toBe(0);

    // The foreign keys now span partitions: deleting a delivery clears its replays' replay_of and takes
    // its attempts; deleting an event takes its deliveries and its key.
    await db.delivery.delete({ where: { id: ids.first } });
    expect(await db.delivery.findUnique({ where: { id: ids.replay } })).toMatchObject({ replayOfId: null });
    expect(await db.attempt.count({ where: { deliveryId: ids.first } })).toBe(0);
    await db.event.delete({ where: { id: ids.captured } });
    expect(await db.idempotencyKey.count({ where: { key: captureKey } })).toBe(0);

    // The migration created the periods the maintenance job would have (same names and bounds, from the
    // legacy partition's end to PARTITIONS_AHEAD periods past the current one): the job has nothing to do,
    // and carries on from there.
    const periods = await partitionPeriods(db);
    const legacyEnd = periods.find((period) => period.suffix === "legacy")?.to;
    expect(legacyEnd && legacyEnd.getTime() > now).toBe(true);
    expect(periods.map((period) => period.suffix)).toHaveLength(1 + PARTITIONS_AHEAD);
    expect(periods[1]?.from?.getTime()).toBe(legacyEnd?.getTime());
    expect(await ensurePartitions(db, { now: new Date(now) })).toEqual([]);
    const nextWeek = new Date(now + PARTITION_PERIOD_MS);
    expect(await ensurePartitions(db, { now: nextWeek })).toHaveLength(1);
    expect((await partitionPeriods(db)).at(-1)?.to.getTime()).toBe(
      (Math.floor(nextWeek.getTime() / PARTITION_PERIOD_MS) + PARTITIONS_AHEAD + 1) * PARTITION_PERIOD_MS,
    );
  });
});
