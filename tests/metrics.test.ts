import { createProject } from "./support/fixtures.js";
import { type Scrape, scrape } from "./support/metrics.js";
import { type RunningProcess, startListeningApp } from "./support/processes.js";
import { eventually, TestReceiver } from "./support/receiver.js";
import { ADMIN_KEY, type Stack, startStack } from "./support/stack.js";

/** How much each listed sample grew between two scrapes. */
function moved(before: Scrape, after: Scrape, name: string, labels: Record<string, string> = {}) {
  return (after.value(name, labels) ?? Number.NaN) - (before.value(name, labels) ?? 0);
}

const PROMETHEUS_TEXT = /^text\/plain; version=0\.0\.4; charset=utf-8$/;

// Each test starts its own stack (database and queue prefix) and makes the state it reads: none depends on
// what another one left behind.
describe("/metrics on the api and the dispatcher", () => {
  const stacks: Stack[] = [];
  const processes: RunningProcess[] = [];
  let receiver: TestReceiver;

  beforeAll(async () => {
    receiver = await TestReceiver.start();
  });

  beforeEach(() => {
    receiver.requests.length = 0;
    receiver.reply = () => ({ status: 200 });
  });

  afterAll(async () => {
    for (const one of processes) if (one.child.exitCode === null) one.child.kill("SIGKILL");
    await Promise.all(processes.map((one) => one.exited));
    await Promise.all(stacks.map((one) => one.stop()));
    await receiver?.close();
  }, 60_000);

  /** A stack of this test's own; a long first retry keeps a failed attempt scheduled (delayed) throughout. */
  async function ownStack(options?: Parameters<typeof startStack>[1]): Promise<Stack> {
    const stack = await startStack({ RETRY_SCHEDULE: "1h" }, options);
    stacks.push(stack);
    return stack;
  }

  it("count ingested events, attempts by status class, outcomes and attempt durations", async () => {
    const stack = await ownStack();
    const project = await createProject(stack);
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
    const stack = await ownStack();
    const project = await createProject(stack);
    receiver.reply = () => ({ status: 500 });
    const webhook = await project.webhook({ url: receiver.url, event_types: ["*"] });
    await project.event("order.paid");
    // Its one attempt failed: the delivery waits an hour for its retry.
    await eventually(async () => {
      const delivery = await stack.db.delivery.findFirst({ where: { webhookId: webhook.id } });
      return (delivery?.attemptCount ?? 0) >= 1 || undefined;
    });
    for (const url of [stack.apiUrl, stack.dispatcherUrl ?? ""]) {
      const metrics = await eventually(async () => {
        const now = await scrape(url);
        return now.value("hookrelay_queue_jobs", { queue: "deliveries", state: "delayed" }) === 1
          ? now
          : undefined;
      });
      expect(metrics.value("hookrelay_queue_jobs", { queue: "deliveries", state: "delayed" })).toBe(1);
      expect(metrics.value("hookrelay_queue_jobs", { queue: "deliveries", state: "waiting" })).toBe(0);
      expect(metrics.value("hookrelay_queue_jobs", { queue: "deliveries", state: "failed" })).toBe(0);
      for (const state of ["waiting", "delayed", "active", "failed"]) {
        const depth = metrics.value("hookrelay_queue_jobs", { queue: "maintenance", state });
        expect(depth).toEqual(expect.any(Number));
        expect(Number.isInteger(depth)).toBe(true);
      }
      expect(metrics.value("hookrelay_outbox_backlog")).toBe(0);
    }
  });

  it("count the outbox backlog while the api cannot reach Redis, and still answer promptly", async () => {
    const offline = await ownStack({ dispatcher: false, apiEnv: { REDIS_URL: "redis://127.0.0.1:1" } });
    const offlineProject = await createProject(offline);
    await offlineProject.webhook({ url: receiver.url, event_types: ["*"] });
    for (let n = 0; n < 3; n++) await offlineProject.event("order.paid", { n });

    const started = Date.now();
    const metrics = await scrape(offline.apiUrl);
    // Below the 2 s each metric source is given: a refused Redis is not waited for until the timeout.
    expect(Date.now() - started).toBeLessThan(1_900);
    expect(metrics.status).toBe(200);
    expect(metrics.value("hookrelay_outbox_backlog")).toBe(3);
    expect(metrics.value("hookrelay_events_ingested_total")).toBe(3);
    // No made-up queue depth while Redis does not answer: the metric is declared, without samples.
    expect(metrics.text).toContain("# TYPE hookrelay_queue_jobs gauge");
    expect(metrics.value("hookrelay_queue_jobs", { queue: "deliveries", state: "waiting" })).toBeUndefined();
  }, 30_000);

  it("are served by the built api and dispatcher processes", async () => {
    // The built processes are the only api and dispatcher on this stack's database and queue prefix.
    const stack = await ownStack({ dispatcher: false });
    const env = { ...stack.env, LOG_LEVEL: "warn" };
    const [api, dispatcher] = await Promise.all([
      startListeningApp("api", env),
      startListeningApp("dispatcher", env),
    ]);
    processes.push(api, dispatcher);

    // One event through the built api, one failed attempt by the built dispatcher (retry an hour away).
    receiver.reply = () => ({ status: 500 });
    const call = async (path: string, key: string, body: unknown) => {
      const response = await fetch(`${api.url}${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as any };
    };
    const project = await call("/v1/projects", ADMIN_KEY, { name: "metrics" });
    expect(project.status).toBe(201);
    const projectPath = `/v1/project/${project.body.id}`;
    const webhook = await call(`${projectPath}/webhooks`, project.body.api_key, {
      url: receiver.url,
      event_types: ["*"],
    });
    expect(webhook.status).toBe(201);
    expect(
      (await call(`${projectPath}/events`, project.body.api_key, { event_type: "a.b", data: {} })).status,
    ).toBe(202);
    await receiver.waitForRequests(1);

    const expected: Array<{ process: typeof api; counter: string; labels: Record<string, string> }> = [
      { process: api, counter: "hookrelay_events_ingested_total", labels: {} },
      { process: dispatcher, counter: "hookrelay_attempts_total", labels: { status_class: "5xx" } },
    ];
    for (const { process, counter, labels } of expected) {
      // Until the process has connected to Redis, queue depth has no samples (by design): wait for them.
      const metrics = await eventually(async () => {
        const answer = await scrape(process.url).catch(() => undefined);
        const depth = answer?.value("hookrelay_queue_jobs", { queue: "deliveries", state: "delayed" });
        return answer?.status === 200 && depth === 1 ? answer : undefined;
      }, 20_000);
      expect(metrics.contentType).toMatch(PROMETHEUS_TEXT);
      expect(metrics.text).toContain(`# TYPE ${counter} counter`);
      expect(metrics.value(counter, labels)).toBe(1);
      expect(metrics.value("hookrelay_queue_jobs", { queue: "deliveries", state: "delayed" })).toBe(1);
      expect(metrics.value("hookrelay_outbox_backlog")).toBe(0);
    }
  }, 40_000);
});
