// `npm run bench -- --scenario attempts [--duration 60]`
//
// The write ceiling of attempt recording on its own, with no HTTP, Redis or BullMQ in the way: the
// dispatcher's AttemptRecorder (built, made as apps/dispatcher/src/main.ts makes it: group commits of up to
// 200 attempts or 5 ms, a pool of min(concurrency, 20) connections) against a fresh migrated database of
// pending deliveries. Each phase keeps `lanes` attempts waiting on each of `recorders` recorders for
// `--duration` seconds: lanes are a dispatcher's DISPATCHER_CONCURRENCY, recorders are dispatchers. Each
// attempt is its delivery's first, answered 200, as in the flat-out bench; deliveries are spread over 20
// webhooks. Per phase: attempts recorded/s, how long `record` took (until its commit) p50/p99, and CPU ms per
// attempt of the PostgreSQL backends (and, apart, the server's shared WAL/checkpoint writers), of this
// process (the recorder's client side: the statement, Prisma, pg) and of the whole machine.
import os from "node:os";
import {
  createPrismaClient,
  insertEventsWithDeliveries,
  migrateDatabase,
  withServerConnection,
} from "@hookrelay/db";
import { AttemptRecorder } from "@hookrelay/dispatcher";
import { DEFAULT_DATABASE_URL, newId } from "@hookrelay/shared";
import { benchConnectionUrl, machineBusySeconds, postgresCpu } from "./process-cpu.js";

/** [recorders, lanes per recorder], in order. */
const PHASES = [
  [1, 1],
  [1, 10],
  [1, 100],
  [1, 400],
  [3, 100],
  [3, 400],
];
const WEBHOOKS = 20;
/** Events per seeding statement (each with WEBHOOKS deliveries: insertEventsWithDeliveries' chunk). */
const SEED_EVENTS_PER_STATEMENT = 250;
const SEED_STATEMENTS_AT_ONCE = 3;
/** Deliveries seeded for one phase: at least, at most (the phase ends early if they run out). */
const MIN_DELIVERIES = 5_000;
const MAX_DELIVERIES = 300_000;
const RESPONSE = {
  statusCode: 200,
  responseBody: "ok",
  responseHeaders: { "content-type": "text/plain" },
  latencyMs: 12,
  error: null,
};

const round = (value) => (Number.isFinite(value) ? Math.round(value * 100) / 100 : null);
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/** One project with WEBHOOKS webhooks; returns the webhook ids. */
async function seedWebhooks(db) {
  const projectId = newId("project");
  await db.$executeRaw`INSERT INTO projects (id, name) VALUES (${projectId}, 'attempt ceiling')`;
  const webhookIds = Array.from({ length: WEBHOOKS }, () => newId("webhook"));
  for (const [n, id] of webhookIds.entries())
    await db.$executeRaw`INSERT INTO webhooks (id, project_id, url, event_types, secret_ciphertext, updated_at)
      VALUES (${id}, ${projectId}, ${`https://receiver.example/${n}`}, ARRAY['*'], 'not-a-secret', now())`;
  return { projectId, webhookIds };
}

/** At least `count` pending deliveries, through the api's own insert; returns their ids and webhooks. */
async function seedDeliveries(db, { projectId, webhookIds }, count) {
  const statements = Math.ceil(count / (SEED_EVENTS_PER_STATEMENT * WEBHOOKS));
  const seeded = [];
  for (let done = 0; done < statements; done += SEED_STATEMENTS_AT_ONCE) {
    const batch = Array.from({ length: Math.min(SEED_STATEMENTS_AT_ONCE, statements - done) }, () =>
      Array.from({ length: SEED_EVENTS_PER_STATEMENT }, (_, n) => {
        const data = JSON.stringify({ n, padding: "x".repeat(200) });
        return {
          id: newId("event"),
          projectId,
          eventType: "bench.event",
          dataJson: data,
          payload: `{"type":"bench.event","data":${data}}`,
          idempotencyKey: null,
          createdAt: new Date(),
          deliveries: webhookIds.map((webhookId) => ({ id: newId("delivery"), webhookId })),
        };
      }),
    );
    await Promise.all(batch.map((events) => insertEventsWithDeliveries(db, events)));
    for (const events of batch)
      for (const event of events) for (const one of event.deliveries) seeded.push(one);
  }
  return seeded;
}

/** One phase: `recorders` × `lanes` attempts in flight for `seconds`, or until `deliveries` run out. */
async function measurePhase(databaseUrl, postgres, { recorders, lanes, seconds, deliveries }) {
  const clients = Array.from({ length: recorders }, () =>
    createPrismaClient(databaseUrl, { maxConnections: Math.min(lanes, 20) }),
  );
  for (const db of clients) await db.$queryRaw`SELECT 1`;
  const recorderList = clients.map((db) => new AttemptRecorder(db));
  const recordMs = [];
  let next = 0;
  let recorded = 0;
  let failed = 0;

  await postgres.refresh();
  const refresher = setInterval(() => postgres.refresh().catch(() => undefined), 500);
  const pgBefore = postgres.cpuSeconds();
  const machineBefore = machineBusySeconds();
  const processBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    recorderList.flatMap((recorder) =>
      Array.from({ length: lanes }, async () => {
        while (performance.now() < deadline && next < deliveries.length) {
          const delivery = deliveries[next++];
          const begun = performance.now();
          try {
            await recorder.record({
              deliveryId: delivery.id,
              webhookId: delivery.webhookId,
              attemptNumber: 1,
              response: RESPONSE,
              outcome: { status: "succeeded" },
              at: new Date(),
              failingSince: null,
            });
            recorded += 1;
            recordMs.push(performance.now() - begun);
          } catch {
            failed += 1;
          }
        }
      }),
    ),
  );
  const elapsed = (performance.now() - started) / 1000;
  clearInterval(refresher);
  await postgres.refresh();
  const pgAfter = postgres.cpuSeconds();
  const machine = machineBusySeconds() - machineBefore;
  const processCpu = process.cpuUsage(processBefore);
  await Promise.all(recorderList.map((recorder) => recorder.close()));
  await Promise.all(clients.map((db) => db.$disconnect()));

  recordMs.sort((a, b) => a - b);
  const perAttempt = (cpuSeconds) => round((cpuSeconds * 1000) / Math.max(recorded, 1));
  const postgresSeconds = pgAfter.backends - pgBefore.backends;
  const processSeconds = (processCpu.user + processCpu.system) / 1e6;
  // What the machine did besides this phase (other users of the box), so a noisy run can be told apart.
  const outside = machine - postgresSeconds - (pgAfter.shared - pgBefore.shared) - processSeconds;
  const percentOfMachine = (cpuSeconds) =>
    Math.round((cpuSeconds / elapsed / os.availableParallelism()) * 100);
  return {
    recorders,
    lanes,
    seconds: round(elapsed),
    ranOut: next >= deliveries.length,
    recorded,
    failed,
    attemptsPerSecond: Math.round(recorded / elapsed),
    recordMs: { p50: round(percentile(recordMs, 50)), p99: round(percentile(recordMs, 99)) },
    cpuMsPerAttempt: {
      postgres: perAttempt(postgresSeconds),
      postgresShared: perAttempt(pgAfter.shared - pgBefore.shared),
      recorderProcess: perAttempt(processSeconds),
      machine: perAttempt(machine),
    },
    postgresCores: round(postgresSeconds / elapsed),
    machineBusyPercent: percentOfMachine(machine),
    outsidePercent: percentOfMachine(Math.max(0, outside)),
    used: next,
  };
}

export async function runAttemptCeiling({ seconds }) {
  const baseUrl = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
  const database = `hookrelay_bench_attempts_${Date.now().toString(36)}`;
  const url = new URL(baseUrl);
  url.pathname = `/${database}`;
  const databaseUrl = url.toString();
  await withServerConnection(baseUrl, (client) => client.query(`CREATE DATABASE "${database}"`));
  const postgres = postgresCpu(baseUrl, database);
  const seedDb = createPrismaClient(benchConnectionUrl(databaseUrl), {
    maxConnections: SEED_STATEMENTS_AT_ONCE,
  });
  try {
    await migrateDatabase(databaseUrl);
    const target = await seedWebhooks(seedDb);
    const phases = [];
    let spare = [];
    let previous = null;
    for (const [recorders, lanes] of PHASES) {
      // Enough for the rate the previous phase reached, scaled by how many more attempts are in flight.
      const estimate = previous
        ? (previous.attemptsPerSecond * (recorders * lanes)) / (previous.recorders * previous.lanes)
        : 0;
      const wanted = Math.min(MAX_DELIVERIES, Math.max(MIN_DELIVERIES, Math.ceil(estimate * seconds * 1.3)));
      const seedStarted = performance.now();
      if (spare.length < wanted)
        spare = spare.concat(await seedDeliveries(seedDb, target, wanted - spare.length));
      process.stderr.write(
        `bench: attempts ${recorders}×${lanes}: ${spare.length} pending deliveries ready ` +
          `(seeded in ${Math.round(performance.now() - seedStarted)} ms) …\n`,
      );
      const phase = await measurePhase(databaseUrl, postgres, {
        recorders,
        lanes,
        seconds,
        deliveries: spare,
      });
      spare = spare.slice(phase.used);
      delete phase.used;
      phases.push(phase);
      previous = phase;
    }
    const [{ count }] = await seedDb.$queryRaw`SELECT count(*)::int AS count FROM attempts`;
    return { phases, attemptsInTable: count, webhooks: WEBHOOKS, seconds };
  } finally {
    await seedDb.$disconnect();
    await postgres.close();
    await withServerConnection(baseUrl, (client) =>
      client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`),
    );
  }
}

export function attemptCeilingTable(result) {
  const { phases } = result;
  const rows = [
    ["attempts in flight (recorders × lanes)", (p) => `${p.recorders}×${p.lanes}`],
    ["attempts recorded/s", (p) => p.attemptsPerSecond],
    ["record → committed p50/p99 ms", (p) => `${p.recordMs.p50}/${p.recordMs.p99}`],
    ["PostgreSQL backends CPU ms per attempt", (p) => p.cpuMsPerAttempt.postgres],
    ["PostgreSQL shared writers CPU ms per attempt", (p) => p.cpuMsPerAttempt.postgresShared],
    ["PostgreSQL backends cores used", (p) => p.postgresCores],
    ["recorder process CPU ms per attempt", (p) => p.cpuMsPerAttempt.recorderProcess],
    [
      "machine CPU ms per attempt / busy % / of it not this run's %",
      (p) => `${p.cpuMsPerAttempt.machine}/${p.machineBusyPercent}/${p.outsidePercent}`,
    ],
    [
      "recorded / failed (ran out of deliveries)",
      (p) => `${p.recorded}/${p.failed}${p.ranOut ? " (ran out)" : ""}`,
    ],
  ];
  const lines = [
    `| metric | ${phases.map((p) => `${p.recorders}×${p.lanes}`).join(" | ")} |`,
    `|---|${phases.map(() => "---").join("|")}|`,
  ];
  for (const [label, pick] of rows.slice(1)) lines.push(`| ${label} | ${phases.map(pick).join(" | ")} |`);
  const recorded = phases.reduce((sum, p) => sum + p.recorded, 0);
  lines.push("", `attempts in the table / recorded: ${result.attemptsInTable}/${recorded}`);
  return lines.join("\n");
}
