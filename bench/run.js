// `npm run bench -- [--scenario steady|burst|fanout|scale|failing|flat|all] [--duration 60] [--rate 500]
//                   [--webhooks 1] [--dispatchers 1] [--events 100000] [--concurrency 64] [--profile]`
//
// End-to-end benchmark on this machine, everything in separate processes: api, N dispatchers (the built
// apps), a receiver, and this process as the load generator. Each run gets a fresh database and queue
// prefix. It measures, in the same run, the raw ceiling (a bare undici POST loop to the same receiver),
// ingest rate, end-to-end deliveries/s, latency from the 202 to arrival, attempts recorded vs deliveries
// received, peak RSS and CPU per delivery; prints a table and writes bench/results/<date>-<scenario>.{json,md}
// and an SVG chart per run. It also measures the product's own HTTP client (got, as the dispatcher
// configures it) against the same receiver, to tell whether the HTTP client is the limit.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { parseArgs } from "node:util";
import { createPrismaClient, migrateDatabase, withServerConnection } from "@hookrelay/db";
import { DEFAULT_DATABASE_URL, WebhookHttpClient } from "@hookrelay/shared";
import { Pool } from "undici";
import { appArguments } from "../scripts/app-command.js";
import { timelineSvg } from "./chart.js";

const root = path.resolve(import.meta.dirname, "..");
const ADMIN_KEY = "bench-admin-key-0123456789";
const CLOCK_TICKS = 100; // USER_HZ on Linux: /proc/<pid>/stat times are in 1/100 s

const { values: args } = parseArgs({
  options: {
    scenario: { type: "string", default: "steady" },
    duration: { type: "string", default: "60" },
    rate: { type: "string" },
    webhooks: { type: "string", default: "1" },
    dispatchers: { type: "string", default: "1" },
    events: { type: "string", default: "100000" },
    concurrency: { type: "string", default: "64" },
    profile: { type: "boolean", default: false },
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

/** CPU seconds and current/peak RSS (MB) of a process, from /proc. */
function processUsage(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (name) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
    return { cpuSeconds, rssMb: kb("VmRSS") / 1024, peakRssMb: kb("VmHWM") / 1024 };
  } catch {
    return undefined;
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

async function runOnce(config) {
  const runId = randomBytes(3).toString("hex");
  const baseUrl = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
  const database = `hookrelay_bench_${runId}`;
  const databaseUrl = new URL(baseUrl);
  databaseUrl.pathname = `/${database}`;
  await withServerConnection(baseUrl, (client) => client.query(`CREATE DATABASE "${database}"`));
  await migrateDatabase(databaseUrl.toString());

  const receiverProcess = startProcess(
    [path.join(root, "bench/receiver.js"), String(config.failRatio ?? 0)],
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
    REDIS_URL: process.env.REDIS_URL || "redis://127.0.0.1:6379",
    QUEUE_PREFIX: `hookrelay-bench-${runId}`,
    ADMIN_API_KEY: ADMIN_KEY,
    LOG_LEVEL: "warn",
    RETRY_SCHEDULE: "1s",
    DISPATCHER_CONCURRENCY: String(config.dispatcherConcurrency ?? 100),
  };
  const apiPort = await freePort();
  const api = startProcess(appArguments("api"), { ...env, PORT: String(apiPort) });
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const dispatchers = [];
  const startDispatchers = async () => {
    for (let n = 0; n < config.dispatchers; n++) {
      const port = await freePort();
      dispatchers.push(
        startProcess(appArguments("dispatcher"), {
          ...env,
          DISPATCHER_PORT: String(port),
        }),
      );
    }
  };
  if (!config.burst) await startDispatchers();
  const db = createPrismaClient(databaseUrl.toString(), { maxConnections: 2 });

  const samples = [];
  const sampler = setInterval(() => {
    samples.push({
      at: Date.now(),
      api: processUsage(api.child.pid),
      dispatchers: dispatchers.map((d) => processUsage(d.child.pid)),
    });
  }, 500);

  try {
    await waitFor(async () => (await fetch(`${apiUrl}/readyz`)).ok, 20_000, "api readiness");
    const headers = { "content-type": "application/json", authorization: `Bearer ${ADMIN_KEY}` };
    const project = await (
      await fetch(`${apiUrl}/v1/projects`, { method: "POST", headers, body: '{"name":"bench"}' })
    ).json();
    const projectPath = `/v1/project/${project.id}`;
    for (let n = 0; n < config.webhooks; n++) {
      const created = await fetch(`${apiUrl}${projectPath}/webhooks`, {
        method: "POST",
        headers: { ...headers, authorization: `Bearer ${project.api_key}` },
        body: JSON.stringify({ url: `${receiverUrl}/hook-${n}`, event_types: ["bench.*"] }),
      });
      if (created.status !== 201) throw new Error(`webhook: ${created.status} ${await created.text()}`);
    }

    const ceiling = await rawCeiling(receiverUrl, 3, 50);
    const gotLimit = await gotCeiling(receiverUrl, 3, 50);
    // CPU spent starting up is not the deliveries' (burst dispatchers start later and count from 0).
    const dispatchersCpu = () =>
      dispatchers.reduce((sum, d) => sum + (processUsage(d.child.pid)?.cpuSeconds ?? 0), 0);
    const cpuBefore = { api: processUsage(api.child.pid)?.cpuSeconds ?? 0, dispatchers: dispatchersCpu() };

    const load = await drive(apiUrl, projectPath, project.api_key, {
      seconds: config.duration,
      rate: config.rate,
      count: config.burst ? config.events : 0,
      concurrency: config.concurrency,
    });
    const expected = load.accepted.size * config.webhooks;
    let drainStarted = performance.timeOrigin + performance.now();
    if (config.burst) {
      drainStarted = performance.timeOrigin + performance.now();
      await startDispatchers();
    }
    const drainTimeout = Math.max(60_000, (expected / 200) * 1000);
    await waitFor(
      async () => (await db.delivery.count({ where: { status: "succeeded" } })) >= expected,
      drainTimeout,
      `${expected} succeeded deliveries`,
    ).catch((error) => process.stderr.write(`warning: ${error.message}\n`));
    const finishedAt = performance.timeOrigin + performance.now();

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
    const cpu = {
      api: (processUsage(api.child.pid)?.cpuSeconds ?? 0) - cpuBefore.api,
      dispatchers: dispatchersCpu() - cpuBefore.dispatchers,
    };
    const peak = (pick) =>
      Math.max(
        0,
        ...samples
          .flatMap(pick)
          .filter(Boolean)
          .map((u) => u.peakRssMb),
      );
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
      latencyMs: {
        p50: round(percentile(latencies, 50)),
        p95: round(percentile(latencies, 95)),
        p99: round(percentile(latencies, 99)),
        max: round(latencies.at(-1) ?? null),
      },
      peakRssMb: { api: round(peak((s) => [s.api])), dispatcher: round(peak((s) => s.dispatchers)) },
      cpuMsPerDelivery: {
        api: round((cpu.api * 1000) / Math.max(stats.delivered, 1)),
        dispatchers: round((cpu.dispatchers * 1000) / Math.max(stats.delivered, 1)),
      },
      drainSeconds: round((finishedAt - drainStarted) / 1000),
      // The dispatchers' summed RSS every 5 s, to see whether memory stays flat while a backlog drains.
      dispatcherRssMbEvery5s: samples
        .filter((_, index) => index % 10 === 0)
        .map((sample) => round(sample.dispatchers.reduce((sum, usage) => sum + (usage?.rssMb ?? 0), 0))),
      timeline,
    };
  } finally {
    clearInterval(sampler);
    for (const one of [api, ...dispatchers, receiverProcess]) one.child.kill("SIGTERM");
    await sleep(1_000);
    for (const one of [api, ...dispatchers, receiverProcess])
      if (one.child.exitCode === null) one.child.kill("SIGKILL");
    await db.$disconnect();
    await withServerConnection(baseUrl, (client) =>
      client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`),
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
  };
  switch (args.scenario) {
    case "steady":
      return [{ name: "steady", ...base, rate: Number(args.rate ?? 500) }];
    case "burst":
      return [{ name: "burst", ...base, burst: true, events: Number(args.events) }];
    case "fanout":
      return [1, 10, 25].map((webhooks) => ({ name: `fanout-${webhooks}`, ...base, webhooks }));
    case "scale":
      return [1, 2].map((dispatchers) => ({ name: `scale-${dispatchers}`, ...base, dispatchers }));
    case "failing":
      return [{ name: "failing", ...base, failRatio: 0.3 }];
    case "flat":
      return [{ name: "flat", ...base }];
    case "all":
      // Every scenario the README's table shows, one after another (about 12 minutes at the defaults).
      return [
        { name: "steady", ...base, rate: Number(args.rate ?? 500) },
        { name: "burst", ...base, burst: true, events: Number(args.events) },
        // Flat-out ingest at fan-out 25 queues 25 deliveries per event: 10 s keeps the drain to minutes.
        ...[1, 10, 25].map((webhooks) => ({
          name: `fanout-${webhooks}`,
          ...base,
          duration: Math.min(duration, 10),
          webhooks,
        })),
        ...[1, 2].map((dispatchers) => ({ name: `scale-${dispatchers}`, ...base, dispatchers })),
        { name: "failing", ...base, failRatio: 0.3 },
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
  ];
  const lines = [
    `| metric | ${results.map((r) => r.config.name).join(" | ")} |`,
    `|---|${results.map(() => "---").join("|")}|`,
  ];
  for (const [label, pick] of rows.slice(1)) lines.push(`| ${label} | ${results.map(pick).join(" | ")} |`);
  return lines.join("\n");
}

// Written after every run, so a long `all` keeps what it measured even if a later run fails.
const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-");
const file = path.join(root, "bench", "results", `${stamp}-${args.scenario}`);
const results = [];
for (const config of scenarios()) {
  process.stderr.write(`bench: running ${config.name} …\n`);
  const result = await runOnce(config);
  results.push(result);
  writeFileSync(`${file}.json`, `${JSON.stringify({ machine: machineInfo(), results }, null, 2)}\n`);
  writeFileSync(`${file}.md`, `# ${args.scenario} — ${new Date().toISOString()}\n\n${table(results)}\n`);
  const title = `${result.config.name}: ${result.endToEndPerSecond} deliveries/s, p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms`;
  writeFileSync(`${file}-${result.config.name}.svg`, timelineSvg(result.timeline, title));
}
process.stdout.write(`${table(results)}\n`);
process.stderr.write(`bench: wrote ${path.relative(root, file)}.{json,md} and one .svg chart per run\n`);
process.exit(0);

function machineInfo() {
  const cpus = readFileSync("/proc/cpuinfo", "utf8").match(/^processor/gm)?.length ?? null;
  return { node: process.version, cpus, at: new Date().toISOString() };
}
