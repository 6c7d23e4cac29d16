// `npm run bench -- --scenario size [--events 500000] [--keep] [--reuse]`
//
// Do the hot queries stay flat as data grows? Two databases migrated with the project's migrations and seeded
// by SQL with the same shape — a small one (5 k events, 10 k deliveries, 30 k attempts) and a large one
// (`--events`, default 500 k: 1 M deliveries, 3 M attempts) spread over 45 days — then p50/p99 per query,
// side by side (`--keep` keeps both databases; `--reuse` measures kept ones again after applying any new
// migrations, and reports how long those took). The queries are the product's own: the api's services (built), the ingest path, the outbox
// sweep's and retention's statements from packages/db and the backlog gauge's count.
//
// Same shape means: history grows (finished deliveries, 30 % of them with `enqueued_at` null as old
// installs have, 3 % failed, a rare event type at 0.1 %, replays of older events), the live working set does
// not (the same 110 events' deliveries pending in both: 100 due for a retry in an hour, 100 never tried and
// overdue, 10 in the outbox).
import { performance } from "node:perf_hooks";
import * as db from "@hookrelay/db";
import { createPrismaClient, migrateDatabase, withServerConnection } from "@hookrelay/db";
import * as shared from "@hookrelay/shared";
import { DEFAULT_DATABASE_URL, idAtTime } from "@hookrelay/shared";
import pg from "pg";

const DAY = 86_400_000;
const SPAN_DAYS = 45;
const RETENTION_DAYS = 30;
const PROJECTS = 3;
const WEBHOOKS_PER_PROJECT = 2;
/** The newest events whose deliveries are pending, in both databases. */
const PENDING_EVENTS = 110;
/** Of those, the newest whose second delivery is still in the outbox. */
const OUTBOX_EVENTS = 10;
/** Per query: at most this many timed runs, or this long, but at least MIN_SAMPLES runs. */
const MAX_SAMPLES = 200;
const TIME_BUDGET_MS = 5_000;
const MIN_SAMPLES = 3;

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
/** `len` ULID characters of `v` (most significant first), as one inlinable SQL expression. */
const base32Sql = (v, len) =>
  Array.from(
    { length: len },
    (_, i) => `substr('${ALPHABET}', ((${v} >> ${5 * (len - 1 - i)}) & 31)::int + 1, 1)`,
  ).join(" || ");

// Ids as newId makes them: prefix, 10 characters of milliseconds, 16 "random" ones (here 0000 + the row
// number, so ids are unique and sort by time like real ones).
const ID_FUNCTION = `
  CREATE FUNCTION size_bench_id(prefix text, ms bigint, n bigint) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT prefix || '_' || ${base32Sql("ms", 10)} || '0000' || ${base32Sql("n", 12)} $$`;

/** The seeding statements for `events` events from `t0` to now. */
function seedStatements(events, t0) {
  const step = (SPAN_DAYS * DAY) / events;
  const eventMs = (n) => `(${t0}::bigint + floor((${n})::numeric * ${step})::bigint)`;
  const project = (n) => `size_bench_id('proj', ${t0}, (${n}) % ${PROJECTS})`;
  const webhook = (n, k) =>
    `size_bench_id('wh', ${t0}, ((${n}) % ${PROJECTS}) * ${WEBHOOKS_PER_PROJECT} + ${k})`;
  const eventType = (n) =>
    `CASE WHEN (${n}) % 1000 = 500 THEN 'order.refunded'
          ELSE (ARRAY['order.created', 'order.updated', 'order.shipped'])[((${n}) / ${PROJECTS}) % 3 + 1] END`;
  const firstPending = events - PENDING_EVENTS;
  const firstOutbox = events - OUTBOX_EVENTS;
  // The second delivery of every 500th event is a replay of the first delivery of an event 999 earlier
  // (same project: 999 is a multiple of PROJECTS).
  const isReplay = `(k = 1 AND n % 500 = 250 AND n >= 999 AND n < ${firstPending})`;
  return [
    "SET session_replication_role = replica", // no FK triggers or notifications while seeding
    "SET synchronous_commit = off",
    "SET maintenance_work_mem = '256MB'",
    ID_FUNCTION,
    `INSERT INTO projects (id, name, created_at)
     SELECT size_bench_id('proj', ${t0}, p), 'size ' || p, to_timestamp(${t0} / 1000.0)
     FROM generate_series(0, ${PROJECTS - 1}) p`,
    `INSERT INTO api_keys (id, project_id, prefix, key_hash)
     SELECT size_bench_id('key', ${t0}, p), size_bench_id('proj', ${t0}, p), 'hr_size', md5('size' || p)
     FROM generate_series(0, ${PROJECTS - 1}) p`,
    `INSERT INTO webhooks (id, project_id, url, event_types, secret_ciphertext, created_at, updated_at)
     SELECT size_bench_id('wh', ${t0}, p * ${WEBHOOKS_PER_PROJECT} + k), size_bench_id('proj', ${t0}, p),
            'https://receiver.example/' || k, ARRAY['*'], 'not-a-secret', to_timestamp(${t0} / 1000.0), now()
     FROM generate_series(0, ${PROJECTS - 1}) p, generate_series(0, ${WEBHOOKS_PER_PROJECT - 1}) k`,
    `INSERT INTO events (id, project_id, event_type, data, payload, idempotency_key, created_at)
     SELECT size_bench_id('evt', ms, n), ${project("n")}, type, jsonb_build_object('n', n, 'note', pad),
            json_build_object('event_type', type, 'data', json_build_object('n', n, 'note', pad))::text,
            CASE WHEN n % 5 = 0 THEN 'key-' || n END, to_timestamp(ms / 1000.0)
     FROM (SELECT n, ${eventMs("n")} AS ms, repeat('x', 120) AS pad, ${eventType("n")} AS type
           FROM generate_series(0, ${events - 1}) n) s`,
    `INSERT INTO deliveries (id, project_id, event_id, webhook_id, event_type, status, attempt_count,
                             next_attempt_at, last_status_code, replay_of, enqueued_at, created_at, completed_at)
     SELECT size_bench_id('dlv', ms, n * 2 + k), ${project("n")},
            CASE WHEN ${isReplay} THEN size_bench_id('evt', ${eventMs("n - 999")}, n - 999)
                 ELSE size_bench_id('evt', ms, n) END,
            ${webhook("n", `CASE WHEN ${isReplay} THEN 0 ELSE k END`)},
            CASE WHEN ${isReplay} THEN ${eventType("n - 999")} ELSE ${eventType("n")} END,
            status::delivery_status, 3,
            CASE WHEN status = 'pending' AND k = 0 THEN now() + interval '1 hour' END,
            CASE status WHEN 'succeeded' THEN 200 WHEN 'failed' THEN 500 END,
            CASE WHEN ${isReplay} THEN size_bench_id('dlv', ${eventMs("n - 999")}, (n - 999) * 2) END,
            CASE WHEN status = 'pending' AND k = 1 AND n >= ${firstOutbox} THEN NULL
                 WHEN status <> 'pending' AND n % 10 < 3 THEN NULL
                 ELSE to_timestamp(ms / 1000.0) END,
            to_timestamp(ms / 1000.0),
            CASE WHEN status <> 'pending' THEN to_timestamp(ms / 1000.0) + interval '3 seconds' END
     FROM (SELECT n, k, ${eventMs("n")} AS ms,
                  CASE WHEN n >= ${firstPending} THEN 'pending' WHEN n % 33 = 0 THEN 'failed' ELSE 'succeeded' END
                    AS status
           FROM generate_series(0, ${events - 1}) n, generate_series(0, 1) k) s
     ORDER BY n, k`,
    // Three attempts per delivery; the attempt id's time is its delivery's, its "random" part the
    // delivery's row number and the attempt's.
    `INSERT INTO attempts (id, delivery_id, attempt_number, status_code, response_body, latency_ms, created_at)
     SELECT 'att_' || substr(d.id, 5, 10) || '000' || substr(d.id, 19, 12) || j, d.id, j + 1,
            CASE WHEN j < 2 OR d.status = 'failed' THEN 500 ELSE 200 END, 'ok', 20 + j,
            d.created_at + j * interval '1 second'
     FROM deliveries d, generate_series(0, 2) j
     ORDER BY d.id, j`,
    "DROP FUNCTION size_bench_id(text, bigint, bigint)",
    "RESET session_replication_role",
  ];
}

/**
 * A database seeded earlier (kept with `--keep`) that still has enough expired events for the retention
 * samples: migrated to the current migrations (timed: that is an upgrade of an install of that size).
 */
async function reuseSeededDatabase(baseUrl, name, events) {
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  const exists = await withServerConnection(
    baseUrl,
    async (client) =>
      (await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name])).rowCount === 1,
  );
  if (!exists) return null;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const cutoff = idAtTime("event", new Date(Date.now() - RETENTION_DAYS * DAY), "start");
    const { rows } = await client.query(
      `SELECT (SELECT count(*) FROM events)::int AS events,
              (SELECT count(*) FROM (SELECT 1 FROM events WHERE id < $1 LIMIT 2000) e)::int AS expired`,
      [cutoff],
    );
    if (rows[0].expired < 2000 || Math.abs(rows[0].events - events) > events / 10) return null;
  } finally {
    await client.end();
  }
  const started = performance.now();
  await migrateDatabase(url.toString());
  return {
    url: url.toString(),
    name,
    reused: true,
    migrateSeconds: round((performance.now() - started) / 1000),
  };
}

async function describeDatabase(url) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const [counts] = (
      await client.query(`SELECT (SELECT count(*) FROM events)::int AS events,
        (SELECT count(*) FROM deliveries)::int AS deliveries, (SELECT count(*) FROM attempts)::int AS attempts,
        pg_database_size(current_database())::bigint AS bytes,
        (SELECT count(*) FROM pg_inherits WHERE inhparent = 'events'::regclass)::int AS partitions`)
    ).rows;
    return {
      counts: { events: counts.events, deliveries: counts.deliveries, attempts: counts.attempts },
      sizeMb: Math.round(Number(counts.bytes) / 2 ** 20),
      partitions: counts.partitions,
    };
  } finally {
    await client.end();
  }
}

async function createSeededDatabase(baseUrl, name, events) {
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  await withServerConnection(baseUrl, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${name}"`);
  });
  const migrateStarted = performance.now();
  await migrateDatabase(url.toString());
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  const seedStarted = performance.now();
  const end = Date.now();
  const t0 = end - SPAN_DAYS * DAY;
  try {
    if (await isPartitioned(client)) await partitionFrom(client, url.toString(), t0);
    for (const statement of seedStatements(events, t0)) await client.query(statement);
    // Where idempotency keys have a table of their own, the API's keys held for a day.
    await client.query(`DO $$ BEGIN
      IF to_regclass('idempotency_keys') IS NOT NULL THEN
        INSERT INTO idempotency_keys (project_id, key, event_id, created_at, expires_at)
        SELECT project_id, idempotency_key, id, created_at, created_at + interval '24 hours'
        FROM events WHERE idempotency_key IS NOT NULL;
      END IF;
    END $$`);
    // What autovacuum would have done by the time a table is this old: statistics and the visibility map.
    await client.query("VACUUM (ANALYZE) events, deliveries, attempts");
    return {
      url: url.toString(),
      name,
      migrateSeconds: round((seedStarted - migrateStarted) / 1000),
      seedSeconds: round((performance.now() - seedStarted) / 1000),
    };
  } finally {
    await client.end();
  }
}

async function isPartitioned(client) {
  const { rows } = await client.query(
    "SELECT count(*)::int AS n FROM pg_partitioned_table WHERE partrelid = 'events'::regclass",
  );
  return rows[0].n === 1;
}

/**
 * A partitioned install that has run for a while: its rows in the periods' partitions, not in the legacy
 * ones a migration makes. The (empty) legacy partitions end where the first period of the seeded span
 * starts; the maintenance job's own function creates the periods from there.
 */
async function partitionFrom(client, url, t0) {
  const start = new Date(Math.floor(t0 / db.PARTITION_PERIOD_MS) * db.PARTITION_PERIOD_MS);
  for (const [table, kind] of [
    ["attempts", "delivery"],
    ["deliveries", "delivery"],
    ["events", "event"],
  ]) {
    // The migration's periods start at the next period boundary: left in place, the seeded span before them
    // would have no partition of its own (ensurePartitions goes on from the newest) and land in the default.
    const { rows: periods } = await client.query(
      `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
       WHERE i.inhparent = $1::regclass AND c.relname LIKE $2`,
      [table, `${table}\\_p%`],
    );
    for (const { relname } of periods) {
      await client.query(`ALTER TABLE ${table} DETACH PARTITION ${relname}`);
      await client.query(`DROP TABLE ${relname}`);
    }
    await client.query(`ALTER TABLE ${table} DETACH PARTITION ${table}_legacy`);
    await client.query(`DROP TABLE ${table}_legacy`);
    await client.query(
      `CREATE TABLE ${table}_legacy PARTITION OF ${table} FOR VALUES FROM (MINVALUE) TO ('${idAtTime(kind, start, "start")}')`,
    );
  }
  const prisma = createPrismaClient(url);
  try {
    await db.ensurePartitions(prisma);
  } finally {
    await prisma.$disconnect();
  }
}

function round(value) {
  return value === null || value === undefined ? null : Math.round(value * 100) / 100;
}

function percentile(sorted, p) {
  return sorted.length === 0
    ? null
    : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const errorOf = (error) => ({ error: error.message.split("\n").filter(Boolean).at(-1) });

/**
 * Times one query on every database side by side: a few untimed runs each, then runs taking turns until
 * MAX_SAMPLES each or the time budget, so a busy machine weighs on every database alike.
 */
async function measureSideBySide(runs, { maxSamples = MAX_SAMPLES, warmup = 2 } = {}) {
  const samples = runs.map(() => []);
  const errors = runs.map(() => null);
  for (const [side, run] of runs.entries()) {
    try {
      for (let i = 0; i < warmup; i++) await run(i);
    } catch (error) {
      errors[side] = errorOf(error);
    }
  }
  const started = performance.now();
  for (let i = 0; i < maxSamples; i++) {
    if (i >= MIN_SAMPLES && performance.now() - started > TIME_BUDGET_MS * runs.length) break;
    for (const [side, run] of runs.entries()) {
      if (errors[side]) continue;
      const begun = performance.now();
      try {
        await run(warmup + i);
        samples[side].push(performance.now() - begun);
      } catch (error) {
        errors[side] = errorOf(error);
      }
    }
  }
  return samples.map((times, side) => {
    if (errors[side]) return errors[side];
    times.sort((a, b) => a - b);
    return { p50: round(percentile(times, 50)), p99: round(percentile(times, 99)), n: times.length };
  });
}

const pick = (list, i) => list[(i * 7919) % list.length];

/**
 * The hot queries, each the product's own code, on one seeded database: `{ queries: [{ name, run,
 * options }], retentionJob, close }`.
 */
async function hotQueries(database) {
  // The product's statement timeout is 15 s; the bench lets a slow statement finish, to measure it.
  const prisma = createPrismaClient(database.url, {
    maxConnections: 4,
    timeouts: { connectMs: 5_000, statementMs: 300_000 },
  });
  // The api's services take a context; these only use its database.
  const ctx = { db: prisma };
  const deliveries = await import("../apps/api/dist/services/deliveries.js");
  const eventsService = await import("../apps/api/dist/services/events.js");
  const { EventIngest } = await import("@hookrelay/ingest");
  const ingest = new EventIngest({
    db: prisma,
    lookups: {
      enabledWebhooks: () => {
        throw new Error("a repeated key must not fan out");
      },
      changed: () => undefined,
    },
    deliveryQueues: undefined,
    deliveryQueue: undefined,
    logger: shared.createLogger("size-bench", "warn"),
  });
  try {
    const webhooks = await prisma.webhook.findMany({ select: { id: true, projectId: true } });
    const projects = [...new Set(webhooks.map((w) => w.projectId))];
    const now = Date.now();
    const span = SPAN_DAYS * DAY;
    const cursorAt = (i) => new Date(now - span * (((i * 104729) % 1000) / 1000));
    const sampleDeliveries = await prisma.$queryRaw`
      SELECT id, webhook_id AS "webhookId", project_id AS "projectId"
      FROM deliveries TABLESAMPLE BERNOULLI (${Math.min(100, 40_000 / database.counts.deliveries)}) LIMIT 200`;
    const keys = await prisma.$queryRaw`
      SELECT project_id AS "projectId", idempotency_key AS key, event_type AS "eventType" FROM events
      WHERE id > ${idAtTime("event", new Date(now - 20 * 3600_000), "start")} AND idempotency_key IS NOT NULL
      LIMIT 200`;
    if (sampleDeliveries.length === 0 || keys.length === 0) throw new Error("seeded database has no samples");

    const queries = [];
    const add = (name, run, options) => queries.push({ name, run, options });
    add("delivery log: newest page", (i) => {
      const w = pick(webhooks, i);
      return deliveries.listDeliveries(ctx, w.projectId, w.id, { limit: 50 });
    });
    add("delivery log: keyset page", (i) => {
      const w = pick(webhooks, i);
      const cursor = idAtTime("delivery", cursorAt(i), "end");
      return deliveries.listDeliveries(ctx, w.projectId, w.id, { limit: 50, cursor });
    });
    add("delivery log: rare event_type", (i) => {
      const w = pick(webhooks, i);
      return deliveries.listDeliveries(ctx, w.projectId, w.id, { limit: 50, event_type: "order.refunded" });
    });
    add("delivery log: status=failed", (i) => {
      const w = pick(webhooks, i);
      return deliveries.listDeliveries(ctx, w.projectId, w.id, { limit: 50, status: "failed" });
    });
    add("attempts of a delivery", (i) => {
      const d = pick(sampleDeliveries, i);
      return deliveries.listAttempts(ctx, d.projectId, d.webhookId, d.id, { limit: 50 });
    });
    add("event list: newest page", (i) => eventsService.listEvents(ctx, pick(projects, i), { limit: 50 }));
    add("event list: keyset page", (i) =>
      eventsService.listEvents(ctx, pick(projects, i), {
        limit: 50,
        cursor: idAtTime("event", cursorAt(i), "end"),
      }),
    );
    add("idempotency: repeated key", async (i) => {
      const k = pick(keys, i);
      const result = await ingest.ingest(k.projectId, {
        eventType: k.eventType,
        dataJson: "{}",
        idempotencyKey: k.key,
      });
      if (result.created) throw new Error("a repeated key created an event");
    });
    add("outbox: unenqueuedDeliveries", () => db.unenqueuedDeliveries(prisma, new Date(), 500));
    add("outbox: overdueDeliveries", () =>
      db.overdueDeliveries(prisma, db.OVERDUE_CURSOR_START, new Date(Date.now() - 30_000), 1_000),
    );
    add("outbox: pendingDeliveriesAfter", () => db.pendingDeliveriesAfter(prisma, "", 2_000));
    const countBacklog = db.countOutboxBacklog ?? shared.countOutboxBacklog;
    add("backlog gauge count", () => countBacklog(prisma));
    const cutoff = new Date(now - RETENTION_DAYS * DAY);
    add(
      "retention: delete 100 expired events row by row",
      async () => {
        const counts = await db.deleteExpired(prisma, cutoff, { batchSize: 100, maxBatches: 1 });
        if (counts.events !== 100) throw new Error(`retention deleted ${counts.events} events, not 100`);
      },
      { maxSamples: 10, warmup: 1 },
    );
    // The maintenance job's whole run, once (it changes the database): expired periods dropped whole.
    const retentionJob = async () => {
      if (!db.runRetention) return { error: "no partitioned retention in this version" };
      const before = await prisma.event.count();
      const started = performance.now();
      const run = await db.runRetention(prisma, { now: new Date(now), retentionMs: RETENTION_DAYS * DAY });
      const ms = round(performance.now() - started);
      const dropped = run.periods.filter((period) => period.dropped).length;
      const gone = before - (await prisma.event.count());
      return { p50: ms, p99: ms, n: 1, detail: `${dropped} periods dropped, ${gone} events gone` };
    };
    return { queries, retentionJob, close: () => prisma.$disconnect() };
  } catch (error) {
    await prisma.$disconnect();
    throw error;
  }
}

function sizeTable(run) {
  const [small, large] = run.databases;
  const names = [...new Set([...Object.keys(small.queries), ...Object.keys(large.queries)])];
  const lines = [
    `| query | small p50 / p99 ms (n) | large p50 / p99 ms (n) | large ÷ small p50 |`,
    "|---|---|---|---|",
  ];
  for (const name of names) {
    const a = small.queries[name] ?? { error: "not run" };
    const b = large.queries[name] ?? { error: "not run" };
    const cell = (r) =>
      r.error ? `error: ${r.error}` : `${r.p50} / ${r.p99} (${r.n})${r.detail ? `: ${r.detail}` : ""}`;
    const ratio = a.p50 > 0 && b.p50 > 0 ? round(b.p50 / a.p50) : "";
    lines.push(`| ${name} | ${cell(a)} | ${cell(b)} | ${ratio} |`);
  }
  const describe = (d) =>
    `${d.name}: ${d.counts.events} events, ${d.counts.deliveries} deliveries, ${d.counts.attempts} attempts, ` +
    `${d.sizeMb} MB, ${d.partitions ? `${d.partitions} partitions of events` : "unpartitioned"}; ` +
    (d.reused
      ? `seeded earlier, migrations applied in ${d.migrateSeconds} s`
      : `migrated in ${d.migrateSeconds} s, seeded in ${d.seedSeconds} s`);
  lines.push("", ...run.databases.map(describe));
  return lines.join("\n");
}

/** The `size` scenario: seeds (or reseeds) both databases, measures both, returns the result. */
export async function runSize({ events = 500_000, keep = false, reuse = false } = {}) {
  const baseUrl = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
  const shapes = [
    { name: "hookrelay_size_small", events: 5_000 },
    { name: "hookrelay_size_large", events },
  ];
  const databases = [];
  for (const shape of shapes) {
    process.stderr.write(`bench: size: seeding ${shape.name} (${shape.events} events) …\n`);
    const seeded =
      (reuse && (await reuseSeededDatabase(baseUrl, shape.name, shape.events))) ||
      (await createSeededDatabase(baseUrl, shape.name, shape.events));
    databases.push({ ...seeded, ...(await describeDatabase(seeded.url)), queries: {} });
  }
  const runners = [];
  try {
    for (const database of databases) runners.push(await hotQueries(database));
    for (const [index, { name, options }] of (runners[0]?.queries ?? []).entries()) {
      process.stderr.write(`bench: size: ${name}\n`);
      const measured = await measureSideBySide(
        runners.map((runner) => runner.queries[index].run),
        options,
      );
      for (const [side, result] of measured.entries()) databases[side].queries[name] = result;
    }
    for (const [side, runner] of runners.entries()) {
      databases[side].queries["retention job run (expired periods dropped whole)"] =
        await runner.retentionJob();
    }
  } finally {
    for (const runner of runners) await runner.close();
  }
  if (!keep) {
    for (const { name } of shapes) {
      await withServerConnection(baseUrl, (client) =>
        client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
      );
    }
  }
  return { config: { name: "size", events }, databases };
}

export { sizeTable };
