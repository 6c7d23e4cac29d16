import { createProject, type TestProject } from "./support/fixtures.js";
import { freePort, type RunningProcess, startApp } from "./support/processes.js";
import { eventually, TestReceiver } from "./support/receiver.js";
import { type Stack, startStack } from "./support/stack.js";

interface Scrape {
  status: number;
  contentType: string;
  text: string;
  /** The sample with exactly these labels, or undefined when absent. */
  value: (name: string, labels?: Record<string, string>) => number | undefined;
}

function parseLabels(raw: string | undefined): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const match of (raw ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
    labels[match[1] ?? ""] = match[2] ?? "";
  return labels;
}

async function scrape(baseUrl: string): Promise<Scrape> {
  const response = await fetch(`${baseUrl}/metrics`);
  const text = await response.text();
  const samples = text
    .split("\n")
    .filter((line) => line && !line.startsWith("#"))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
      return { name: match[1], labels: parseLabels(match[2]), value: Number(match[3]) };
    });
  return {
    status: response.status,
    contentType: response.headers.get("content-type") ?? "",
    text,
    value(name, labels = {}) {
      const wanted = JSON.stringify(Object.entries(labels).sort());
      return samples.find(
        (sample) => sample.name === name && JSON.stringify(Object.entries(sample.labels).sort()) === wanted,
      )?.value;
    },
  };
}

/** How much each listed sample grew between two scrapes. */
function moved(before: Scrape, after: Scrape, name: string, labels: Record<string, string> = {}) {
  return (after.value(name, labels) ?? Number.NaN) - (before.value(name, labels) ?? 0);
}

const PROMETHEUS_TEXT = /^text\/plain; version=0\.0\.4; charset=utf-8$/;

describe("/metrics on the api and the dispatcher", () => {
  const stacks: Stack[] = [];
  const processes: RunningProcess[] = [];
  let stack: Stack;
  let receiver: TestReceiver;
  let project: TestProject;

  beforeAll(async () => {
    // A long first retry: the failed attempt stays scheduled (delayed) for the whole test.
    stack = await startStack({ RETRY_SCHEDULE: "1h" });
    stacks.push(stack);
    receiver = await TestReceiver.start();
    project = await createProject(stack);
  });

  afterAll(async () => {
    for (const one of processes) if (one.child.exitCode === null) one.child.kill("SIGKILL");
    await Promise.all(stacks.map((one) => one.stop()));
    await receiver?.close();
  }, 60_000);

  it("count ingested events, attempts by status class, outcomes and attempt durations", async () => {
    const dispatcherUrl = stack.dispatcherUrl ?? "";
    const [apiBefore, dispatcherBefore] = await Promise.all([scrape(stack.apiUrl), scrape(dispatcherUrl)]);
    for (const one of [apiBefore, dispatcherBefore]) {
      expect(one.status).toBe(200);
      expect(one.contentType).toMatch(PROMETHEUS_TEXT);
    }

    receiver.reply = (request) =>
      JSON.parse(request.body.toString()).data.fail ? { status: 500, body: "boom" } : { status: 200 };
    await project.webhook({ url: receiver.url, event_types: ["*"] });
    const succeeding = 5;
    await Promise.all(Array.from({ length: succeeding }, (_, n) => project.event("order.paid", { n })));
    await project.event("order.paid", { fail: true });
    await receiver.waitForRequests(succeeding + 1);

    const dispatcherAfter = await eventually(async () => {
      const now = await scrape(dispatcherUrl);
      const attempts =
        moved(dispatcherBefore, now, "hookrelay_attempts_total", { status_class: "2xx" }) +
        moved(dispatcherBefore, now, "hookrelay_attempts_total", { status_class: "5xx" });
      return attempts === succeeding + 1 ? now : undefined;
    });
    const apiAfter = await scrape(stack.apiUrl);

    expect(moved(apiBefore, apiAfter, "hookrelay_events_ingested_total")).toBe(succeeding + 1);
    const count = (name: string, labels: Record<string, string>) =>
      moved(dispatcherBefore, dispatcherAfter, name, labels);
    expect(count("hookrelay_attempts_total", { status_class: "2xx" })).toBe(succeeding);
    expect(count("hookrelay_attempts_total", { status_class: "5xx" })).toBe(1);
    for (const statusClass of ["3xx", "4xx", "error"]) {
      expect(count("hookrelay_attempts_total", { status_class: statusClass })).toBe(0);
    }
    expect(count("hookrelay_delivery_outcomes_total", { outcome: "succeeded" })).toBe(succeeding);
    expect(count("hookrelay_delivery_outcomes_total", { outcome: "retry_scheduled" })).toBe(1);
    expect(count("hookrelay_delivery_outcomes_total", { outcome: "failed" })).toBe(0);
    expect(count("hookrelay_attempt_duration_seconds_count", {})).toBe(succeeding + 1);
    expect(count("hookrelay_attempt_duration_seconds_bucket", { le: "+Inf" })).toBe(succeeding + 1);
    // Local answers are fast: all of them within the 30 s bucket, and the sum is positive but small.
    expect(count("hookrelay_attempt_duration_seconds_bucket", { le: "30" })).toBe(succeeding + 1);
    expect(count("hookrelay_attempt_duration_seconds_sum", {})).toBeGreaterThan(0);
    expect(count("hookrelay_attempt_duration_seconds_sum", {})).toBeLessThan(30);

    // The app-specific metrics live in their own app's registry only.
    expect(apiAfter.value("hookrelay_attempts_total", { status_class: "2xx" })).toBeUndefined();
    expect(dispatcherAfter.value("hookrelay_events_ingested_total")).toBeUndefined();
    // Every hookrelay_ metric says what it is, and the default process metrics are there too.
    for (const one of [apiAfter, dispatcherAfter]) {
      const names = new Set([...one.text.matchAll(/^# TYPE (hookrelay_\w+) /gm)].map((match) => match[1]));
      expect(names.size).toBeGreaterThanOrEqual(3);
      for (const name of names) expect(one.text).toMatch(new RegExp(`^# HELP ${name} \\S.{10,}$`, "m"));
      expect(one.value("process_cpu_user_seconds_total")).toBeGreaterThan(0);
      expect(one.value("nodejs_heap_size_used_bytes")).toBeGreaterThan(0);
    }
  }, 40_000);

  it("report queue depth by queue and state, and an empty outbox, on both apps", async () => {
    for (const url of [stack.apiUrl, stack.dispatcherUrl ?? ""]) {
      const metrics = await scrape(url);
      // The failed attempt of the previous test waits an hour for its retry.
      expect(metrics.value("hookrelay_queue_jobs", { queue: "deliveries", state: "delayed" })).toBe(1);
      expect(metrics.value("hookrelay_queue_jobs", { queue: "deliveries", state: "waiting" })).toBe(0);
      expect(metrics.value("hookrelay_queue_jobs", { queue: "deliveries", state: "failed" })).toBe(0);
      for (const state of ["waiting", "delayed", "active", "failed"]) {
        expect(metrics.value("hookrelay_queue_jobs", { queue: "maintenance", state })).toBeGreaterThanOrEqual(
          0,
        );
      }
      expect(metrics.value("hookrelay_outbox_backlog")).toBe(0);
    }
  });

  it("count the outbox backlog while the api cannot reach Redis, and still answer promptly", async () => {
    const offline = await startStack({}, { dispatcher: false, apiEnv: { REDIS_URL: "redis://127.0.0.1:1" } });
    stacks.push(offline);
    const offlineProject = await createProject(offline);
    await offlineProject.webhook({ url: receiver.url, event_types: ["*"] });
    for (let n = 0; n < 3; n++) await offlineProject.event("order.paid", { n });

    const started = Date.now();
    const metrics = await scrape(offline.apiUrl);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(metrics.status).toBe(200);
    expect(metrics.value("hookrelay_outbox_backlog")).toBe(3);
    expect(metrics.value("hookrelay_events_ingested_total")).toBe(3);
    // No made-up queue depth while Redis does not answer: the metric is declared, without samples.
    expect(metrics.text).toContain("# TYPE hookrelay_queue_jobs gauge");
    expect(metrics.value("hookrelay_queue_jobs", { queue: "deliveries", state: "waiting" })).toBeUndefined();
  }, 30_000);

  it("are served by the built api and dispatcher processes", async () => {
    const [apiPort, dispatcherPort] = [await freePort(), await freePort()];
    const env = { ...stack.env, LOG_LEVEL: "warn" };
    processes.push(
      startApp("api", { ...env, PORT: String(apiPort) }),
      startApp("dispatcher", { ...env, DISPATCHER_PORT: String(dispatcherPort) }),
    );
    const expected = {
      [apiPort]: "hookrelay_events_ingested_total",
      [dispatcherPort]: "hookrelay_delivery_outcomes_total",
    };
    for (const [port, name] of Object.entries(expected)) {
      // Until the process has connected to Redis, queue depth has no samples (by design): wait for them.
      const metrics = await eventually(async () => {
        const answer = await scrape(`http://127.0.0.1:${port}`).catch(() => undefined);
        const depth = answer?.value("hookrelay_queue_jobs", { queue: "deliveries", state: "delayed" });
        return answer?.status === 200 && depth !== undefined ? answer : undefined;
      }, 20_000);
      expect(metrics.contentType).toMatch(PROMETHEUS_TEXT);
      expect(metrics.text).toContain(`# TYPE ${name} counter`);
      expect(metrics.value("hookrelay_queue_jobs", { queue: "deliveries", state: "delayed" })).toBe(1);
      expect(metrics.value("hookrelay_outbox_backlog")).toBe(0);
    }
  }, 40_000);
});
