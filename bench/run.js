// `npm run bench -- [--scenario steady|burst|fanout|filters|scale|failing|flat|source|size|attempts|all]
//                   [--duration 60] [--rate 500] [--webhooks 1] [--dispatchers 1] [--events 100000]
//                   [--concurrency 64] [--profile] [--capture-poll-interval 1s] [--capture-batch-size 500]
//                   [--webhook-concurrency 10] [--keep] [--reuse] [--redis shared|own|cluster|sentinel]
//                   [--queue-shards 1]`
//
// End-to-end benchmark on this machine, everything in separate processes: api, N dispatchers (the built
// apps), a receiver, and this process as the load generator. Each run gets a fresh database and queue
// prefix. It measures, in the same run, the raw ceiling (a bare undici POST loop to the same receiver),
// ingest rate, end-to-end deliveries/s, latency from the 202 to arrival, attempts recorded vs deliveries
// received, peak RSS and CPU per delivery (of the api, the dispatchers, the PostgreSQL backends serving the
// run's database and the redis-server(s) serving its queues, and of the whole machine); prints a table and writes bench/results/<date>-<scenario>.{json,md}
// and an SVG chart per run. It also measures the product's own HTTP client (got, as the dispatcher
// configures it) against the same receiver, to tell whether the HTTP client is the limit.
//
// `source` measures database change capture in one run: a fresh source database with an `orders` table and
// a source over it; rows inserted at `--rate` (commit → arrival latency), then flat out (changes captured/s,
// CPU per change), then flat-out REST ingest on the same processes for comparison; every row delivered
// exactly once and the change table empty at the end.
//
// `size` (bench/size.js) runs no processes: it seeds a small and a large database by SQL and times the hot
// queries on both (`--events` sets the large one's events, default 500 k; `--keep` keeps the databases, `--reuse` measures kept ones again).
//
// `attempts` (bench/attempt-ceiling.js) runs no processes either: the dispatcher's AttemptRecorder against a
// fresh database of pending deliveries, at several concurrencies: attempts recorded/s and PostgreSQL CPU per
// attempt.
//
// `--redis` picks the Redis the run's queues live on (bench/redis-servers.js): the shared one (REDIS_URL or
// 6379, default), a server of the run's own, or a loopback Cluster (3 + 3) or Sentinel group of its own;
// `--queue-shards` sets QUEUE_SHARDS.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { parseArgs } from "node:util";
import { createHookrelayClient } from "@hookrelay/client";
import { createPrismaClient, migrateDatabase, withServerConnection } from "@hookrelay/db";
import { DEFAULT_DATABASE_URL, WebhookHttpClient } from "@hookrelay/shared";
import pg from "pg";
import { Pool } from "undici";
import { appArguments } from "../scripts/app-command.js";
import { attemptCeilingTable, runAttemptCeiling } from "./attempt-ceiling.js";
import { timelineSvg } from "./chart.js";
import { BENCH_FILTER, filterCostTable, runFilterCost } from "./filter-cost.js";
import {
  benchConnectionUrl,
  machineBusySeconds,
  postgresCpu,
  processesCpu,
  processUsage,
} from "./process-cpu.js";
import { startRedis } from "./redis-servers.js";
import { runSize, sizeTable } from "./size.js";

const root = path.resolve(import.meta.dirname, "..");
const ADMIN_KEY = "bench-admin-key-0123456789";
/** `--scenario scale` (and `all`): dispatcher counts, one run each. */
const SCALE_DISPATCHERS = [1, 2, 3];

const { values: args } = parseArgs({
  options: {
    scenario: { type: "string", default: "steady" },
    duration: { type: "string", default: "60" },
    rate: { type: "string" },
    webhooks: { type: "string", default: "1" },
    dispatchers: { type: "string", default: "1" },
    events: { type: "string" },
    concurrency: { type: "string", default: "64" },
    profile: { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
    reuse: { type: "boolean", default: false },
    // Passed to the dispatchers as CAPTURE_POLL_INTERVAL / CAPTURE_BATCH_SIZE; unset: the product's defaults.
    "capture-poll-interval": { type: "string" },
    "capture-batch-size": { type: "string" },
    // Passed to the dispatchers as WEBHOOK_CONCURRENCY (the per-webhook in-flight cap).
    "webhook-concurrency": { type: "string" },
    redis: { type: "string", default: "shared" },
    "queue-shards": { type: "string" },
  },
});

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// `--profile` writes a V8 CPU profile of every process to bench/results/profiles (node --cpu-prof).
const profileFlags = () =>
  args.profile ? ["--cpu-prof", `--cpu-prof-dir=${path.join(root, "bench", "results", "profiles")}`] : [];

function startProcess(args, env) {
  const child = spawn(process.execPath, [...profileFlags(), ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr.on("data", (chunk) => {
    output += chunk;
  });
  return { child, output: () => output };
}

async function waitFor(check, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const CEILING_BODY = JSON.stringify({ event_type: "raw", data: { padding: "x".repeat(200) } });

/** Requests per second that `concurrency` loops of `sendOne` complete in `seconds`. */
async function requestLoop(seconds, concurrency, sendOne) {
  let done = 0;
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        await sendOne();
        done += 1;
      }
    }),
  );
  return done / seconds;
}

/** A bare undici POST loop to the receiver: what this machine can do with no hookrelay in between. */
async function rawCeiling(receiverUrl, seconds, concurrency) {
  const pool = new Pool(receiverUrl, { connections: concurrency });
  const perSecond = await requestLoop(seconds, concurrency, async () => {
    const response = await pool.request({
      path: "/raw",
      method: "POST",
      body: CEILING_BODY,
      headers: { "content-type": "application/json" },
    });
    await response.body.dump();
  });
  await pool.close();
  return perSecond;
}

/** The same loop through the dispatcher's HTTP client (got 14, keep-alive agent, no retries/redirects). */
async function gotCeiling(receiverUrl, seconds, concurrency) {
  const client = new WebhookHttpClient({ allowPrivateTargets: true });
  const perSecond = await requestLoop(seconds, concurrency, () =>
    client.send({
      url: `${receiverUrl}/raw`,
      body: CEILING_BODY,
      headers: { "content-type": "application/json" },
      timeoutMs: 5_000,
    }),
  );
  client.close();
  return perSecond;
}

/**
 * Posts events for `seconds` at `rate` per second (or flat out when rate is 0, or until `count` events),
 * with at most `concurrency` requests in flight. Returns the 202 time of every accepted event.
 */
async function drive(apiUrl, projectPath, apiKey, { seconds, rate, count, concurrency }) {
  const pool = new Pool(apiUrl, { connections: concurrency });
  const accepted = new Map();
  const requestMs = [];
  let errors = 0;
  let sent = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const shouldSend = () => (count ? sent < count : performance.now() < deadline);
  async function sendOne(n) {
    const body = JSON.stringify({ event_type: "bench.event", data: { n, padding: "x".repeat(200) } });
    const begun = performance.now();
    try {
      const response = await pool.request({
        path: `${projectPath}/events`,
        method: "POST",
        body,
        headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}` },
      });
      const text = await response.body.text();
      if (response.statusCode === 202) {
        accepted.set(JSON.parse(text).event_id, performance.timeOrigin + performance.now());
        requestMs.push(performance.now() - begun);
      } else errors += 1;
    } catch {
      errors += 1;
    }
  }
  await Promise.all(
    Array.from({ length: concurrency }, async (_, lane) => {
      while (shouldSend()) {
        // Each lane claims its request number before waiting, so the lanes send one after another
        // (request k is due at started + k/rate) instead of all at once for the same k.
        const n = sent++;
        if (rate > 0) {
          const wait = started + (n * 1000) / rate - performance.now();
          if (wait > 0) await sleep(wait);
          if (!count && performance.now() >= deadline) break;
        }
        await sendOne(n);
      }
      return lane;
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  await pool.close();
  requestMs.sort((a, b) => a - b);
  return { accepted, errors, elapsed, requestMs };
}

/**
 * A fresh database, the receiver, the api and (unless `config.burst`, which starts them later) the
 * dispatchers, each in its own process, plus a sampler of their CPU and RSS. Stop it with stopStack.
 */
async function startStack(config) {
  const runId = randomBytes(3).toString("hex");
  const baseUrl = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
  const database = `hookrelay_bench_${runId}`;
  const databaseUrl = new URL(baseUrl);
  databaseUrl.pathname = `/${database}`;
  await withServerConnection(baseUrl, (client) => client.query(`CREATE DATABASE "${database}"`));
  await migrateDatabase(databaseUrl.toString());
  const redis = await startRedis(args.redis, process.env.REDIS_URL || "redis://127.0.0.1:6379");
  const postgres = postgresCpu(baseUrl, database);

  const receiverProcess = startProcess(
    [
      path.join(root, "bench/receiver.js"),
      String(config.failRatio ?? 0),
      ...(config.receiverField ? [config.receiverField] : []),
    ],
    {},
  );
  const { port: receiverPort } = await waitFor(
    async () => JSON.parse(receiverProcess.output().split("\n")[0] || "null"),
    10_000,
    "receiver",
  );
  const receiverUrl = `http://127.0.0.1:${receiverPort}`;

  const env = {
    DATABASE_URL: databaseUrl.toString(),
    ...redis.env,
    ...(args["queue-shards"] && { QUEUE_SHARDS: args["queue-shards"] }),
    QUEUE_PREFIX: `hookrelay-bench-${runId}`,
    ADMIN_API_KEY: ADMIN_KEY,
    LOG_LEVEL: "warn",
    RETRY_SCHEDULE: "1s",
    DISPATCHER_CONCURRENCY: String(config.dispatcherConcurrency ?? 100),
  };
  const apiPort = await freePort();
  const api = startProcess(appArguments("api"), { ...env, PORT: String(apiPort) });
  const dispatchers = [];
  const dispatcherPorts = [];
  const startDispatchers = async () => {
    for (let n = 0; n < config.dispatchers; n++) {
      const port = await freePort();
      dispatcherPorts.push(port);
      dispatchers.push(
        startProcess(appArguments("dispatcher"), {
          ...env,
          ...config.dispatcherEnv,
          DISPATCHER_PORT: String(port),
        }),
      );
    }
  };
  if (!config.burst) await startDispatchers();
  // The bench's own queries (counting deliveries while they drain) are not PostgreSQL's cost of the run.
  const db = createPrismaClient(benchConnectionUrl(databaseUrl.toString()), { maxConnections: 2 });

  const samples = [];
  const sampler = setInterval(() => {
    postgres.refresh().catch(() => undefined);
    samples.push({
      at: Date.now(),
      api: processUsage(api.child.pid),
      dispatchers: dispatchers.map((d) => processUsage(d.child.pid)),
    });
  }, 500);
  return {
    runId,
    webhooks: config.webhooks,
    baseUrl,
    database,
    databaseUrl: databaseUrl.toString(),
    receiverProcess,
    receiverUrl,
    api,
    apiUrl: `http://127.0.0.1:${apiPort}`,
    dispatchers,
    dispatcherPorts,
    startDispatchers,
    db,
    redis,
    postgres,
    samples,
    sampler,
  };
}

async function stopStack(stack) {
  const { api, dispatchers, receiverProcess } = stack;
  clearInterval(stack.sampler);
  for (const one of [api, ...dispatchers, receiverProcess]) one.child.kill("SIGTERM");
  await sleep(1_000);
  for (const one of [api, ...dispatchers, receiverProcess])
    if (one.child.exitCode === null) one.child.kill("SIGKILL");
  await stack.db.$disconnect();
  await stack.postgres.close();
  await stack.redis.stop();
  await withServerConnection(stack.baseUrl, (client) =>
    client.query(`DROP DATABASE IF EXISTS "${stack.database}" WITH (FORCE)`),
  );
}

/** Waits for the api, then creates a project: `{ project, projectPath, client }` (through @hookrelay/client). */
async function createProject(stack) {
  await waitFor(async () => (await fetch(`${stack.apiUrl}/readyz`)).ok, 20_000, "api readiness");
  const admin = createHookrelayClient({ baseUrl: stack.apiUrl, apiKey: ADMIN_KEY });
  const project = await admin.projects.create({ name: "bench" });
  const client = createHookrelayClient({ baseUrl: stack.apiUrl, apiKey: project.api_key });
  return { project, projectPath: `/v1/project/${project.id}`, admin, client };
}

function createWebhook({ project, client }, url, eventTypes, filter) {
  return client.webhooks.create(project.id, { url, event_types: eventTypes, ...(filter && { filter }) });
}

/**
 * CPU seconds so far of the api, of all dispatchers together, of the PostgreSQL backends serving the run's
 * database (and, apart, the server's shared WAL/checkpoint writers), of the run's redis-server(s), and of
 * the bench itself (this load generator and the receiver).
 */
function stackCpu(stack) {
  const postgres = stack.postgres.cpuSeconds();
  return {
    api: processesCpu([stack.api.child.pid]),
    dispatchers: processesCpu(stack.dispatchers.map((d) => d.child.pid)),
    postgres: postgres.backends,
    postgresShared: postgres.shared,
    redis: processesCpu(stack.redis.pids),
    bench: processesCpu([process.pid, stack.receiverProcess.child.pid]),
  };
}

function peakRss(samples) {
  const peak = (pick) =>
    Math.max(
      0,
      ...samples
        .flatMap(pick)
        .filter(Boolean)
        .map((u) => u.peakRssMb),
    );
  return { api: round(peak((s) => [s.api])), dispatcher: round(peak((s) => s.dispatchers)) };
}

async function runOnce(config) {
  const stack = await startStack(config);
  const { db, receiverUrl, samples } = stack;
  try {
    const target = await createProject(stack);
    const { project, projectPath } = target;
    for (let n = 0; n < config.webhooks; n++)
      await createWebhook(target, `${receiverUrl}/hook-${n}`, ["bench.*"], config.filter);

    const ceiling = await rawCeiling(receiverUrl, 3, 50);
    const gotLimit = await gotCeiling(receiverUrl, 3, 50);
    // CPU spent starting up is not the deliveries' (burst dispatchers start later and count from 0).
    await stack.postgres.refresh();
    const cost = costMeter(stack);

    const load = await drive(stack.apiUrl, projectPath, project.api_key, {
      seconds: config.duration,
      rate: config.rate,
      count: config.burst ? config.events : 0,
      concurrency: config.concurrency,
    });
    const expected = load.accepted.size * config.webhooks;
    let drainStarted = performance.timeOrigin + performance.now();
    if (config.burst) {
      drainStarted = performance.timeOrigin + performance.now();
      await stack.startDispatchers();
    }
    const drainTimeout = Math.max(60_000, (expected / 200) * 1000);
    await waitFor(
      async () => (await db.delivery.count({ where: { status: "succeeded" } })) >= expected,
      drainTimeout,
      `${expected} succeeded deliveries`,
    ).catch((error) => process.stderr.write(`warning: ${error.message}\n`));
    const finishedAt = performance.timeOrigin + performance.now();
    await stack.postgres.refresh();
    const cpu = cost();

    const stats = await (await fetch(`${receiverUrl}/stats`)).json();
    const arrivals = await (await fetch(`${receiverUrl}/arrivals`)).json();
    const succeeded = await db.delivery.count({ where: { status: "succeeded" } });
    const attempts = await db.attempt.count();

    const latencies = [];
    let firstArrival = Number.POSITIVE_INFINITY;
    let lastArrival = 0;
    for (const [eventId, , at] of arrivals) {
      const acceptedAt = load.accepted.get(eventId);
      if (acceptedAt !== undefined) latencies.push(Math.max(0, at - acceptedAt));
      firstArrival = Math.min(firstArrival, at);
      lastArrival = Math.max(lastArrival, at);
    }
    latencies.sort((a, b) => a - b);
    const deliverySpan = config.burst
      ? (lastArrival - drainStarted) / 1000
      : (lastArrival - firstArrival) / 1000;
    const timeline = buildTimeline(arrivals, load.accepted);

    return {
      config,
      ceilingPerSecond: round(ceiling),
      gotCeilingPerSecond: round(gotLimit),
      ingestPerSecond: round(load.accepted.size / load.elapsed),
      ingestErrors: load.errors,
      eventsAccepted: load.accepted.size,
      deliveriesExpected: expected,
      deliveriesReceived: stats.delivered,
      requestsReceived: stats.received,
      deliveriesSucceeded: succeeded,
      attemptsRecorded: attempts,
      endToEndPerSecond: round(arrivals.length / Math.max(deliverySpan, 0.001)),
      shareOfCeiling: round((arrivals.length / Math.max(deliverySpan, 0.001) / ceiling) * 100),
      ingestRequestMs: {
        p50: round(percentile(load.requestMs, 50)),
        p99: round(percentile(load.requestMs, 99)),
      },
      // Negative when the webhook arrived before the 202 reached the client (clamped to 0 in latencyMs).
      arrivalBefore202: latencies.filter((value) => value === 0).length,
      latencyMs: latencySummary(latencies),
      peakRssMb: peakRss(samples),
      cpuMsPerDelivery: perEvent(cpu, stats.delivered),
      // Cores each part kept busy over the measured phase (CPU seconds ÷ its wall-clock seconds).
      coresUsed: coresUsed(cpu),
      machineBusyPercent: round(cpu.busyPercent),
      outsideRunPercent: round(cpu.outsidePercent),
      redis: {
        mode: stack.redis.mode,
        servers: stack.redis.pids.length,
        queueShards: args["queue-shards"] ?? "1",
      },
      drainSeconds: round((finishedAt - drainStarted) / 1000),
      // The dispatchers' summed RSS every 5 s, to see whether memory stays flat while a backlog drains.
      dispatcherRssMbEvery5s: samples
        .filter((_, index) => index % 10 === 0)
        .map((sample) => round(sample.dispatchers.reduce((sum, usage) => sum + (usage?.rssMb ?? 0), 0))),
      timeline,
    };
  } finally {
    await stopStack(stack);
  }
}

/** p50/p95/p99/max of sorted latencies (ms). */
function latencySummary(sorted) {
  return {
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.at(-1) ?? null),
  };
}

// The `source` scenario: database change capture next to REST ingest, on the same api and dispatchers.

const ORDERS_TABLE =
  "CREATE TABLE orders (id bigint PRIMARY KEY, status text, amount int, note text, sent_at double precision)";
// Named in insertOrders, so each connection prepares them once, as an application's driver would.
const INSERT_ORDER = "INSERT INTO orders (id, status, amount, note, sent_at) VALUES ($1, 'new', $2, $3, $4)";
const INSERT_ORDERS = `INSERT INTO orders (id, status, amount, note, sent_at)
  SELECT g, 'new', (g % 1000)::int, $3, $4 FROM generate_series($1::bigint, $2::bigint) g`;
// About the size of the REST events' padding, so both doors carry similar payloads.
const ORDER_NOTE = "x".repeat(200);
// Enough lanes to hold the offered rate while commits take tens of ms (fsync, a busy box): 8 managed ~410/s.
const RATE_CONNECTIONS = 16;
const FLAT_CONNECTIONS = 16;
// The backlog phase: rows per second of `--duration`, written in statements of this many rows (the default
// CAPTURE_BATCH_SIZE), so the change table fills faster than capture drains it and capture's own ceiling shows.
const BACKLOG_ROWS_PER_SECOND = 1_000;
const BACKLOG_ROWS_PER_STATEMENT = 500;
const BACKLOG_CONNECTIONS = 4;
// Row ids of each phase start here, so arrivals are told apart by their row id alone.
const PHASE_ID_STEP = 1_000_000_000;

/**
 * Inserts orders with ids from `firstId`, each statement its own transaction (autocommit, over `connections`
 * pooled connections): single-row INSERTs at `rate` rows/s (0: flat out) for `seconds`, or, with
 * `rowsPerStatement` > 1, `rows` rows in multi-row INSERTs as fast as they go. Returns when each row's
 * commit returned.
 */
async function insertOrders(pool, { seconds, rate, connections, firstId, rows = 0, rowsPerStatement = 1 }) {
  const committed = new Map();
  const insertMs = [];
  let errors = 0;
  let sent = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const more = () => (rows > 0 ? sent * rowsPerStatement < rows : performance.now() < deadline);
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (more()) {
        // Claimed before waiting, as in `drive`: statement k is due at started + k/rate.
        const n = sent++;
        if (rate > 0) {
          const wait = started + (n * 1000) / rate - performance.now();
          if (wait > 0) await sleep(wait);
          if (performance.now() >= deadline) break;
        }
        const from = firstId + n * rowsPerStatement;
        const begun = performance.now();
        try {
          await pool.query(
            rowsPerStatement === 1
              ? { name: "insert-order", text: INSERT_ORDER, values: [from, n % 1000, ORDER_NOTE, Date.now()] }
              : {
                  name: "insert-orders",
                  text: INSERT_ORDERS,
                  values: [from, from + rowsPerStatement - 1, ORDER_NOTE, Date.now()],
                },
          );
          const at = performance.timeOrigin + performance.now();
          for (let id = from; id < from + rowsPerStatement; id++) committed.set(id, at);
          insertMs.push(performance.now() - begun);
        } catch {
          errors += 1;
        }
      }
    }),
  );
  insertMs.sort((a, b) => a - b);
  return { committed, errors, insertMs, elapsed: (performance.now() - started) / 1000 };
}

/** The dispatchers' `hookrelay_changes_captured_total`, summed. */
async function capturedTotal(stack) {
  let total = 0;
  for (const port of stack.dispatcherPorts) {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    total += Number(/^hookrelay_changes_captured_total(?:\{[^}]*\})? (\S+)$/m.exec(text)?.[1] ?? 0);
  }
  return total;
}

// On the clock of V8's CPU profiles (µs), so a `--profile` run can be cut into its phases.
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

/** Waits until the receiver has `total` deliveries (all phases so far); warns instead of failing. */
async function waitForDeliveries(stack, total, what) {
  const timeout = Math.max(60_000, (total / 200) * 1000);
  await waitFor(
    async () => (await (await fetch(`${stack.receiverUrl}/stats`)).json()).delivered >= total,
    timeout,
    `${total} deliveries (${what})`,
  ).catch((error) => process.stderr.write(`warning: ${error.message}\n`));
}

/**
 * What a phase cost, from its start to `done()`: CPU seconds of each part stackCpu measures and of the whole
 * machine, the phase's seconds, and how busy the machine was.
 */
function costMeter(stack) {
  const before = { ...stackCpu(stack), machine: machineBusySeconds(), at: performance.now() };
  return () => {
    const after = stackCpu(stack);
    const seconds = (performance.now() - before.at) / 1000;
    const machine = machineBusySeconds() - before.machine;
    const spent = Object.fromEntries(Object.keys(after).map((part) => [part, after[part] - before[part]]));
    // What the machine did besides this run (other users of the box), so a noisy run can be told apart.
    const outside = machine - Object.values(spent).reduce((sum, value) => sum + value, 0);
    const percentOfMachine = (cpuSeconds) => (cpuSeconds / seconds / (machineInfo().cpus ?? 1)) * 100;
    return {
      ...spent,
      machine,
      seconds,
      busyPercent: percentOfMachine(machine),
      outsidePercent: percentOfMachine(Math.max(0, outside)),
    };
  };
}

const CPU_PARTS = ["api", "dispatchers", "postgres", "postgresShared", "redis", "bench", "machine"];

/** CPU ms per event (or delivery) of each part. */
function perEvent(cpu, events) {
  return Object.fromEntries(CPU_PARTS.map((part) => [part, round((cpu[part] * 1000) / Math.max(events, 1))]));
}

function coresUsed(cpu) {
  return Object.fromEntries(
    CPU_PARTS.map((part) => [part, Math.round((cpu[part] / cpu.seconds) * 100) / 100]),
  );
}

/**
 * Which of `expected` keys arrived at each of `urls` and how often: a key arriving twice at one url is a
 * duplicate (delivered twice, or captured twice under two event ids); one never arriving is missing.
 */
function completeness(pairs, expectedKeys, urls) {
  const counts = new Map();
  for (const [key, url] of pairs) counts.set(`${url} ${key}`, (counts.get(`${url} ${key}`) ?? 0) + 1);
  let missing = 0;
  let duplicates = 0;
  for (const url of urls)
    for (const key of expectedKeys) {
      const count = counts.get(`${url} ${key}`) ?? 0;
      if (count === 0) missing += 1;
      else duplicates += count - 1;
    }
  return { missing, duplicates, expected: expectedKeys.length * urls.length };
}

/** Deliveries/s from the first arrival to the last, and the latency summary, of one phase's arrivals. */
function deliveryFigures(arrivals, writtenAt) {
  const latencies = [];
  let first = Number.POSITIVE_INFINITY;
  let last = 0;
  for (const [key, , at] of arrivals) {
    latencies.push(Math.max(0, at - writtenAt.get(key)));
    first = Math.min(first, at);
    last = Math.max(last, at);
  }
  latencies.sort((a, b) => a - b);
  return {
    endToEndPerSecond: round(arrivals.length / Math.max((last - first) / 1000, 0.001)),
    latencyMs: latencySummary(latencies),
  };
}

/**
 * One capture phase: insert orders (at a rate, flat out, or a backlog at once), wait until every change is captured and
 * delivered, and measure. The capture rate is the events it stored from the phase's start until the last
 * one (events' created_at, set when the dispatcher ingests them), so it holds while a backlog drains.
 */
async function capturePhase(stack, pool, { name, load, deliveredBefore, ...insert }) {
  const capturedBefore = await capturedTotal(stack);
  const fromUs = monotonicUs();
  const startedAt = Date.now();
  const cost = costMeter(stack);
  const inserts = await insertOrders(pool, insert);
  const insertsEndedAt = Date.now();
  const insertsEndedUs = monotonicUs();
  const expected = inserts.committed.size * stack.webhooks;
  await waitForDeliveries(stack, deliveredBefore + expected, name);
  const cpu = cost();
  // The phase on the profiles' clock: inserting, then draining the backlog and the deliveries.
  const window = { fromUs, insertsEndedUs, toUs: monotonicUs() };
  const [stored] = await stack.db.$queryRaw`
    SELECT count(*)::int AS count,
           count(*) FILTER (WHERE created_at <= to_timestamp(${insertsEndedAt / 1000}))::int AS "byInsertsEnd",
           (extract(epoch FROM max(created_at)) * 1000)::float8 AS "lastAt"
    FROM events WHERE event_type LIKE 'db.%' AND created_at >= to_timestamp(${startedAt / 1000})`;
  const captured = (await capturedTotal(stack)) - capturedBefore;
  // When each row's event was stored (created_at, ms) against when its commit returned: capture's own lag,
  // without the delivery queue's.
  const storedAt = await stack.db.$queryRaw`
    SELECT (data->'row'->>'id')::float8 AS id, (extract(epoch FROM created_at) * 1000)::float8 AS at
    FROM events WHERE event_type LIKE 'db.%' AND created_at >= to_timestamp(${startedAt / 1000})`;
  const captureLag = storedAt
    .filter(({ id }) => inserts.committed.has(id))
    .map(({ id, at }) => Math.max(0, at - inserts.committed.get(id)))
    .sort((a, b) => a - b);
  return {
    name,
    door: "capture",
    load,
    written: inserts.committed.size,
    writeErrors: inserts.errors,
    writePerSecond: round(inserts.committed.size / inserts.elapsed),
    writeMs: { p50: round(percentile(inserts.insertMs, 50)), p99: round(percentile(inserts.insertMs, 99)) },
    storedLatencyMs: latencySummary(captureLag),
    ingestPerSecond: round(stored.count / Math.max((stored.lastAt - startedAt) / 1000, 0.001)),
    eventsStored: stored.count,
    capturedCounter: captured,
    backlogWhenWritesStopped: inserts.committed.size - stored.byInsertsEnd,
    cpu,
    window,
    writtenAt: inserts.committed,
  };
}

/** The REST door beside it: flat-out `POST …/events` for the same duration, on the same processes. */
async function restPhase(stack, target, { name, seconds, concurrency, deliveredBefore }) {
  const cost = costMeter(stack);
  const fromUs = monotonicUs();
  const load = await drive(stack.apiUrl, target.projectPath, target.project.api_key, {
    seconds,
    rate: 0,
    count: 0,
    concurrency,
  });
  await waitForDeliveries(stack, deliveredBefore + load.accepted.size * stack.webhooks, name);
  return {
    name,
    door: "REST",
    load: `flat out, ${concurrency} conns`,
    written: load.accepted.size,
    writeErrors: load.errors,
    writePerSecond: round(load.accepted.size / load.elapsed),
    writeMs: { p50: round(percentile(load.requestMs, 50)), p99: round(percentile(load.requestMs, 99)) },
    storedLatencyMs: null,
    ingestPerSecond: round(load.accepted.size / load.elapsed),
    eventsStored: load.accepted.size,
    backlogWhenWritesStopped: null,
    cpu: cost(),
    window: { fromUs, toUs: monotonicUs() },
    writtenAt: load.accepted,
  };
}

async function runSource(config) {
  const stack = await startStack({ ...config, receiverField: "data.row.id" });
  const sourceDatabase = `hookrelay_bench_src_${stack.runId}`;
  const sourceUrl = new URL(stack.baseUrl);
  sourceUrl.pathname = `/${sourceDatabase}`;
  const pool = new pg.Pool({
    connectionString: sourceUrl.toString(),
    max: FLAT_CONNECTIONS,
    application_name: "hookrelay-bench-load",
  });
  try {
    await withServerConnection(stack.baseUrl, (client) =>
      client.query(`CREATE DATABASE "${sourceDatabase}"`),
    );
    await pool.query(ORDERS_TABLE);
    const target = await createProject(stack);
    const sourceUrls = [];
    const restUrls = [];
    for (let n = 0; n < config.webhooks; n++) {
      sourceUrls.push(`/source-${n}`);
      restUrls.push(`/hook-${n}`);
      await createWebhook(target, `${stack.receiverUrl}/source-${n}`, ["db.public.orders.*"]);
      await createWebhook(target, `${stack.receiverUrl}/hook-${n}`, ["bench.*"]);
    }
    await target.admin.sources.create(target.project.id, {
      name: "bench orders",
      database_url: sourceUrl.toString(),
      tables: [{ table: "orders" }],
    });

    // Capture runs once a dispatcher holds the source's advisory lock; a few warm-up rows (negative ids, not
    // measured) then take the first ingest and delivery out of the figures.
    await waitFor(
      async () =>
        (
          await pool.query(
            "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
          )
        ).rowCount > 0,
      20_000,
      "a dispatcher capturing the source",
    );
    for (let id = -20; id < 0; id++) await pool.query(INSERT_ORDER, [id, 0, ORDER_NOTE, Date.now()]);
    let delivered = 20 * config.webhooks;
    await waitForDeliveries(stack, delivered, "warm-up");

    const phases = [];
    const seconds = config.duration;
    const backlogRows = seconds * BACKLOG_ROWS_PER_SECOND;
    const capturePhases = [
      {
        name: "capture-rate",
        load: `${config.rate} rows/s, ${RATE_CONNECTIONS} conns, 1 row/tx`,
        seconds,
        rate: config.rate,
        connections: RATE_CONNECTIONS,
      },
      {
        name: "capture-flat",
        load: `flat out, ${FLAT_CONNECTIONS} conns, 1 row/tx`,
        seconds,
        rate: 0,
        connections: FLAT_CONNECTIONS,
      },
      {
        name: "capture-backlog",
        load: `${backlogRows} rows, ${BACKLOG_ROWS_PER_STATEMENT} rows/tx, ${BACKLOG_CONNECTIONS} conns`,
        seconds,
        rate: 0,
        connections: BACKLOG_CONNECTIONS,
        rows: backlogRows,
        rowsPerStatement: BACKLOG_ROWS_PER_STATEMENT,
      },
    ];
    for (const [index, phase] of capturePhases.entries()) {
      process.stderr.write(`bench: source phase ${phase.name} (${phase.load}) …\n`);
      const measured = await capturePhase(stack, pool, {
        ...phase,
        firstId: (index + 1) * PHASE_ID_STEP,
        deliveredBefore: delivered,
      });
      delivered += measured.written * config.webhooks;
      phases.push(measured);
    }
    process.stderr.write("bench: source phase REST flat out …\n");
    phases.push(
      await restPhase(stack, target, {
        name: "rest-flat",
        seconds: config.duration,
        concurrency: config.concurrency,
        deliveredBefore: delivered,
      }),
    );

    const arrivals = await (await fetch(`${stack.receiverUrl}/arrivals`)).json();
    const { rows: left } = await pool.query("SELECT count(*)::int AS count FROM hookrelay_capture.changes");
    const succeeded = await stack.db.delivery.count({ where: { status: "succeeded" } });
    const attempts = await stack.db.attempt.count();
    const stats = await (await fetch(`${stack.receiverUrl}/stats`)).json();

    const timelineArrivals = [];
    const timelineWrittenAt = new Map();
    for (const phase of phases) {
      const capture = phase.door === "capture";
      // Capture arrivals are keyed by row id (from the body), REST ones by event id (webhook-id).
      const own = arrivals
        .filter(([eventId, url, , rowId]) =>
          capture ? url.startsWith("/source-") && phase.writtenAt.has(rowId) : phase.writtenAt.has(eventId),
        )
        .map(([eventId, url, at, rowId]) => [capture ? rowId : eventId, url, at, eventId]);
      Object.assign(phase, deliveryFigures(own, phase.writtenAt));
      phase.delivered = own.length;
      // One event per row: as many distinct webhook-ids as rows committed.
      phase.distinctEvents = new Set(own.map(([, , , eventId]) => eventId)).size;
      Object.assign(phase, completeness(own, [...phase.writtenAt.keys()], capture ? sourceUrls : restUrls));
      phase.cpuMsPerEvent = perEvent(phase.cpu, phase.eventsStored);
      if (capture) {
        timelineArrivals.push(...own);
        for (const [key, at] of phase.writtenAt) timelineWrittenAt.set(key, at);
      }
      delete phase.writtenAt;
    }
    const rest = phases.find((phase) => phase.name === "rest-flat");
    for (const phase of phases)
      if (phase.door === "capture")
        phase.overRest = Math.round((phase.ingestPerSecond / rest.ingestPerSecond) * 100) / 100;
    return {
      config,
      phases,
      changesLeft: left[0].count,
      deliveriesSucceeded: succeeded,
      attemptsRecorded: attempts,
      requestsReceived: stats.received,
      deliveriesReceived: stats.delivered,
      peakRssMb: peakRss(stack.samples),
      timeline: buildTimeline(timelineArrivals, timelineWrittenAt),
    };
  } finally {
    await pool.end().catch(() => undefined);
    await stopStack(stack);
    await withServerConnection(stack.baseUrl, (client) =>
      client.query(`DROP DATABASE IF EXISTS "${sourceDatabase}" WITH (FORCE)`),
    );
  }
}

/** Deliveries received and median latency per second of the run, for the chart. */
function buildTimeline(arrivals, accepted) {
  if (arrivals.length === 0) return [];
  const start = arrivals.reduce((min, [, , at]) => Math.min(min, at), Number.POSITIVE_INFINITY);
  const buckets = new Map();
  for (const [eventId, , at] of arrivals) {
    const second = Math.floor((at - start) / 1000);
    const bucket = buckets.get(second) ?? { second, deliveries: 0, latencies: [] };
    bucket.deliveries += 1;
    const acceptedAt = accepted.get(eventId);
    if (acceptedAt !== undefined) bucket.latencies.push(at - acceptedAt);
    buckets.set(second, bucket);
  }
  return [...buckets.values()]
    .sort((a, b) => a.second - b.second)
    .map(({ second, deliveries, latencies }) => {
      latencies.sort((a, b) => a - b);
      return {
        second,
        deliveries,
        p50: round(percentile(latencies, 50)),
        p99: round(percentile(latencies, 99)),
      };
    });
}

function round(value) {
  return value === null || value === undefined || Number.isNaN(value) ? null : Math.round(value * 10) / 10;
}

function scenarios() {
  const duration = Number(args.duration);
  const base = {
    duration,
    rate: Number(args.rate ?? 0),
    webhooks: Number(args.webhooks),
    dispatchers: Number(args.dispatchers),
    concurrency: Number(args.concurrency),
    dispatcherEnv: {
      ...(args["webhook-concurrency"] && { WEBHOOK_CONCURRENCY: args["webhook-concurrency"] }),
    },
  };
  const source = {
    name: "source",
    ...base,
    source: true,
    rate: Number(args.rate ?? 500),
    dispatcherEnv: {
      ...base.dispatcherEnv,
      ...(args["capture-poll-interval"] && { CAPTURE_POLL_INTERVAL: args["capture-poll-interval"] }),
      ...(args["capture-batch-size"] && { CAPTURE_BATCH_SIZE: args["capture-batch-size"] }),
    },
  };
  switch (args.scenario) {
    case "steady":
      return [{ name: "steady", ...base, rate: Number(args.rate ?? 500) }];
    case "burst":
      return [{ name: "burst", ...base, burst: true, events: Number(args.events ?? 100_000) }];
    case "fanout":
      return [1, 10, 25].map((webhooks) => ({ name: `fanout-${webhooks}`, ...base, webhooks }));
    case "filters":
      // 25 webhooks without and with a payload filter (accepting every event: the same deliveries).
      return [
        { name: "unfiltered-25", ...base, webhooks: 25, duration: Math.min(duration, 10) },
        {
          name: "filtered-25",
          ...base,
          webhooks: 25,
          duration: Math.min(duration, 10),
          filter: BENCH_FILTER,
        },
      ];
    case "scale":
      return SCALE_DISPATCHERS.map((dispatchers) => ({ name: `scale-${dispatchers}`, ...base, dispatchers }));
    case "failing":
      return [{ name: "failing", ...base, failRatio: 0.3 }];
    case "flat":
      return [{ name: "flat", ...base }];
    case "source":
      return [source];
    case "all":
      // Every scenario the README's table shows, then `source` (about 17 minutes at the defaults).
      return [
        { name: "steady", ...base, rate: Number(args.rate ?? 500) },
        { name: "burst", ...base, burst: true, events: Number(args.events ?? 100_000) },
        // Flat-out ingest at fan-out 25 queues 25 deliveries per event: 10 s keeps the drain to minutes.
        ...[1, 10, 25].map((webhooks) => ({
          name: `fanout-${webhooks}`,
          ...base,
          duration: Math.min(duration, 10),
          webhooks,
        })),
        ...SCALE_DISPATCHERS.map((dispatchers) => ({ name: `scale-${dispatchers}`, ...base, dispatchers })),
        { name: "failing", ...base, failRatio: 0.3 },
        source,
      ];
    default:
      throw new Error(`unknown scenario ${args.scenario}`);
  }
}

function table(results) {
  const rows = [
    ["scenario", (r) => r.config.name],
    ["raw ceiling req/s (bare undici loop)", (r) => r.ceilingPerSecond],
    ["got ceiling req/s (the dispatcher's client)", (r) => r.gotCeilingPerSecond],
    ["ingest events/s", (r) => r.ingestPerSecond],
    ["end-to-end deliveries/s", (r) => r.endToEndPerSecond],
    ["% of raw ceiling", (r) => r.shareOfCeiling],
    ["events accepted", (r) => r.eventsAccepted],
    ["ingest request p50/p99 ms", (r) => `${r.ingestRequestMs.p50}/${r.ingestRequestMs.p99}`],
    [
      "latency 202→arrival p50/p95/p99/max ms",
      (r) => `${r.latencyMs.p50}/${r.latencyMs.p95}/${r.latencyMs.p99}/${r.latencyMs.max}`,
    ],
    ["delivered / expected", (r) => `${r.deliveriesReceived}/${r.deliveriesExpected}`],
    ["attempts recorded / requests received", (r) => `${r.attemptsRecorded}/${r.requestsReceived}`],
    ["peak RSS api/dispatcher MB", (r) => `${r.peakRssMb.api}/${r.peakRssMb.dispatcher}`],
    [
      "CPU ms per delivery api/dispatchers",
      (r) => `${r.cpuMsPerDelivery.api}/${r.cpuMsPerDelivery.dispatchers}`,
    ],
    [
      "CPU ms per delivery PostgreSQL backends/shared writers, Redis",
      (r) =>
        `${r.cpuMsPerDelivery.postgres}/${r.cpuMsPerDelivery.postgresShared}, ${r.cpuMsPerDelivery.redis}`,
    ],
    [
      "machine CPU ms per delivery (all processes) / busy % / of it not this run's %",
      (r) => `${r.cpuMsPerDelivery.machine}/${r.machineBusyPercent}/${r.outsideRunPercent}`,
    ],
    [
      "cores used api/dispatchers/PostgreSQL/Redis",
      (r) => `${r.coresUsed.api}/${r.coresUsed.dispatchers}/${r.coresUsed.postgres}/${r.coresUsed.redis}`,
    ],
    ["Redis (servers) / QUEUE_SHARDS", (r) => `${r.redis.mode} (${r.redis.servers})/${r.redis.queueShards}`],
  ];
  const lines = [
    `| metric | ${results.map((r) => r.config.name).join(" | ")} |`,
    `|---|${results.map(() => "---").join("|")}|`,
  ];
  for (const [label, pick] of rows.slice(1)) lines.push(`| ${label} | ${results.map(pick).join(" | ")} |`);
  return lines.join("\n");
}

/** The source scenario's table: one column per phase (capture at a rate, capture flat out, REST flat out). */
function sourceTable(result) {
  const { phases } = result;
  const pair = (a, b) => `${a}/${b}`;
  const rows = [
    ["door / load", (p) => `${p.door}: ${p.load}`],
    ["rows committed/s (capture) or 202s/s (REST)", (p) => p.writePerSecond],
    ["INSERT commit (capture) or POST→202 (REST) p50/p99 ms", (p) => pair(p.writeMs.p50, p.writeMs.p99)],
    ["events ingested/s (changes captured, or REST 202s)", (p) => p.ingestPerSecond],
    ["capture ÷ REST ingest events/s", (p) => p.overRest ?? ""],
    ["capture backlog when inserts stopped", (p) => p.backlogWhenWritesStopped ?? ""],
    [
      "capture lag commit→event stored p50/p95/p99/max ms",
      (p) =>
        p.storedLatencyMs
          ? `${p.storedLatencyMs.p50}/${p.storedLatencyMs.p95}/${p.storedLatencyMs.p99}/${p.storedLatencyMs.max}`
          : "",
    ],
    ["end-to-end deliveries/s", (p) => p.endToEndPerSecond],
    [
      "latency commit→arrival (capture) or 202→arrival (REST) p50/p95/p99/max ms",
      (p) => `${p.latencyMs.p50}/${p.latencyMs.p95}/${p.latencyMs.p99}/${p.latencyMs.max}`,
    ],
    ["delivered / expected", (p) => pair(p.delivered, p.expected)],
    ["missing / duplicates", (p) => pair(p.missing, p.duplicates)],
    ["distinct webhook-ids / rows or events", (p) => pair(p.distinctEvents, p.written)],
    ["write errors", (p) => p.writeErrors],
    ["CPU ms per event api/dispatchers", (p) => pair(p.cpuMsPerEvent.api, p.cpuMsPerEvent.dispatchers)],
    [
      "machine CPU ms per event (all processes) / busy %",
      (p) => pair(p.cpuMsPerEvent.machine, round(p.cpu.busyPercent)),
    ],
  ];
  const lines = [
    `| metric | ${phases.map((p) => p.name).join(" | ")} |`,
    `|---|${phases.map(() => "---").join("|")}|`,
  ];
  for (const [label, pick] of rows) lines.push(`| ${label} | ${phases.map(pick).join(" | ")} |`);
  const counter = phases.filter((p) => p.door === "capture").map((p) => `${p.capturedCounter}/${p.written}`);
  lines.push(
    "",
    `changes left in hookrelay_capture.changes: ${result.changesLeft}; ` +
      `hookrelay_changes_captured_total delta / rows committed per capture phase: ${counter.join(", ")}; ` +
      `deliveries succeeded ${result.deliveriesSucceeded}, attempts recorded / requests received ` +
      `${result.attemptsRecorded}/${result.requestsReceived}; peak RSS api/dispatcher MB ` +
      `${result.peakRssMb.api}/${result.peakRssMb.dispatcher}`,
  );
  return lines.join("\n");
}

/** Every result's table: the scenarios' shared one, then one per source run. */
function report(results) {
  const shared = results.filter((result) => !result.phases);
  return [
    ...(shared.length > 0 ? [table(shared)] : []),
    ...results.filter((r) => r.phases).map(sourceTable),
  ].join("\n\n");
}

function chartTitle(result) {
  if (!result.phases) {
    return `${result.config.name}: ${result.endToEndPerSecond} deliveries/s, p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms`;
  }
  const phase = (name) => result.phases.find((p) => p.name === name);
  const [rate, flat, backlog, rest] = ["capture-rate", "capture-flat", "capture-backlog", "rest-flat"].map(
    phase,
  );
  return `source: capture ${flat.ingestPerSecond}/${backlog.ingestPerSecond} changes/s flat/backlog (REST ${rest.ingestPerSecond} events/s); at ${result.config.rate}/s commit→arrival p50 ${rate.latencyMs.p50} ms, p99 ${rate.latencyMs.p99} ms`;
}

// Written after every run, so a long `all` keeps what it measured even if a later run fails.
const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-");
const file = path.join(root, "bench", "results", `${stamp}-${args.scenario}`);
if (args.scenario === "size") {
  const events = args.events === undefined ? undefined : Number(args.events);
  const result = await runSize({ events, keep: args.keep, reuse: args.reuse });
  writeFileSync(
    `${file}.json`,
    `${JSON.stringify({ machine: machineInfo(), results: [result] }, null, 2)}\n`,
  );
  writeFileSync(`${file}.md`, `# size — ${new Date().toISOString()}\n\n${sizeTable(result)}\n`);
  process.stdout.write(`${sizeTable(result)}\n`);
  process.stderr.write(`bench: wrote ${path.relative(root, file)}.{json,md}\n`);
  process.exit(0);
}
if (args.scenario === "attempts") {
  const result = await runAttemptCeiling({ seconds: Number(args.duration) });
  writeFileSync(
    `${file}.json`,
    `${JSON.stringify({ machine: machineInfo(), results: [result] }, null, 2)}\n`,
  );
  writeFileSync(`${file}.md`, `# attempts — ${new Date().toISOString()}\n\n${attemptCeilingTable(result)}\n`);
  process.stdout.write(`${attemptCeilingTable(result)}\n`);
  process.stderr.write(`bench: wrote ${path.relative(root, file)}.{json,md}\n`);
  process.exit(0);
}
const results = [];
// `filters` starts with the fan-out decision measured alone, then runs the two stacks.
const preface = args.scenario === "filters" ? `${filterCostTable(runFilterCost())}\n\n` : "";
if (preface) process.stdout.write(preface);
for (const config of scenarios()) {
  process.stderr.write(`bench: running ${config.name} …\n`);
  const result = config.source ? await runSource(config) : await runOnce(config);
  results.push(result);
  writeFileSync(`${file}.json`, `${JSON.stringify({ machine: machineInfo(), results }, null, 2)}\n`);
  writeFileSync(
    `${file}.md`,
    `# ${args.scenario} — ${new Date().toISOString()}\n\n${preface}${report(results)}\n`,
  );
  writeFileSync(`${file}-${result.config.name}.svg`, timelineSvg(result.timeline, chartTitle(result)));
}
process.stdout.write(`${report(results)}\n`);
process.stderr.write(`bench: wrote ${path.relative(root, file)}.{json,md} and one .svg chart per run\n`);
process.exit(0);

function machineInfo() {
  const cpus = readFileSync("/proc/cpuinfo", "utf8").match(/^processor/gm)?.length ?? null;
  return { node: process.version, cpus, at: new Date().toISOString() };
}
