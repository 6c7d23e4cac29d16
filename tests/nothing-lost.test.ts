import { createProject } from "./support/fixtures.js";
import { scrape } from "./support/metrics.js";
import { type ListeningProcess, type RunningProcess, startListeningApp } from "./support/processes.js";
import { eventually, TestReceiver } from "./support/receiver.js";
import { type Stack, startStack } from "./support/stack.js";

// No delivery is lost: not when Redis is down at ingest, not when a dispatcher is killed mid-attempt, not
// when several dispatchers share the queue. Dispatchers here are real processes (the built main.js).
describe("nothing lost", () => {
  const stacks: Stack[] = [];
  const receivers: TestReceiver[] = [];
  const dispatchers: RunningProcess[] = [];

  afterAll(async () => {
    for (const one of dispatchers) if (one.child.exitCode === null) one.child.kill("SIGKILL");
    await Promise.all(stacks.map((stack) => stack.stop()));
    await Promise.all(receivers.map((receiver) => receiver.close()));
  }, 60_000);

  async function setup(env: Record<string, string> = {}, options?: Parameters<typeof startStack>[1]) {
    const stack = await startStack(env, { dispatcher: false, ...options });
    stacks.push(stack);
    const receiver = await TestReceiver.start();
    receivers.push(receiver);
    const project = await createProject(stack);
    return { stack, receiver, project };
  }

  async function spawnDispatcher(stack: Stack, env: Record<string, string> = {}): Promise<ListeningProcess> {
    const dispatcher = await startListeningApp("dispatcher", { ...stack.env, LOG_LEVEL: "warn", ...env });
    dispatchers.push(dispatcher);
    return dispatcher;
  }

  async function succeededCount(stack: Stack, webhookId: string) {
    return stack.db.delivery.count({ where: { webhookId, status: "succeeded" } });
  }

  it("accepts events while Redis is down and delivers them once a dispatcher's outbox sweep runs", async () => {
    // The api talks to a Redis that is not there; the dispatcher to the real one.
    const { stack, receiver, project } = await setup({}, { apiEnv: { REDIS_URL: "redis://127.0.0.1:1" } });
    const webhook = await project.webhook({ url: receiver.url, event_types: ["*"] });
    const started = Date.now();
    const accepted = await Promise.all(
      Array.from({ length: 20 }, (_, n) => project.event("order.paid", { n })),
    );
    expect(accepted.every((answer) => answer.deliveries === 1)).toBe(true);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await stack.db.delivery.count({ where: { webhookId: webhook.id, enqueuedAt: null } })).toBe(20);
    expect(receiver.requests).toHaveLength(0);

    await spawnDispatcher(stack, { OUTBOX_SWEEP_INTERVAL: "300ms" });
    await receiver.waitForRequests(20, 20_000);
    await eventually(async () => (await succeededCount(stack, webhook.id)) === 20 || undefined);
    expect(await stack.db.delivery.count({ where: { webhookId: webhook.id, enqueuedAt: null } })).toBe(0);
    expect(new Set(receiver.requests.map((r) => r.headers["webhook-id"])).size).toBe(20);
  }, 40_000);

  it("a dispatcher killed with SIGKILL mid-delivery: another takes the job over and delivers it", async () => {
    const { stack, receiver, project } = await setup();
    // The first request hangs (the dispatcher dies holding it); later ones succeed.
    receiver.reply = (_request, index) => (index === 0 ? { status: 200, delayMs: 60_000 } : { status: 200 });
    const webhook = await project.webhook({ url: receiver.url, event_types: ["*"] });
    const timing = { STALLED_JOB_TIMEOUT: "1s" };
    const doomed = await spawnDispatcher(stack, timing);
    await project.event("order.paid");
    await receiver.waitForRequests(1, 15_000);
    doomed.child.kill("SIGKILL");
    await doomed.exited;
    expect(await stack.db.delivery.findFirst({ where: { webhookId: webhook.id } })).toMatchObject({
      status: "pending",
    });

    await spawnDispatcher(stack, timing);
    const [first, second] = await receiver.waitForRequests(2, 20_000);
    expect(second?.headers["webhook-id"]).toBe(first?.headers["webhook-id"]);
    const delivery = await eventually(async () => {
      const found = await stack.db.delivery.findFirst({
        where: { webhookId: webhook.id },
        include: { attempts: true },
      });
      return found?.status === "succeeded" ? found : undefined;
    }, 15_000);
    // The killed process never recorded its attempt; the survivor's is the one on record.
    expect(delivery.attempts).toHaveLength(1);
    expect(delivery.attempts[0]?.statusCode).toBe(200);
  }, 60_000);

  it("SIGTERM stops taking jobs, finishes the attempt in flight, records it, and exits 0", async () => {
    const { stack, receiver, project } = await setup();
    receiver.reply = () => ({ status: 200, body: "slow but fine", delayMs: 1_500 });
    const webhook = await project.webhook({ url: receiver.url, event_types: ["*"] });
    const dispatcher = await spawnDispatcher(stack);
    await project.event("order.paid");
    await receiver.waitForRequests(1, 15_000);
    dispatcher.child.kill("SIGTERM");
    expect(await dispatcher.exited).toBe(0);
    const delivery = await stack.db.delivery.findFirstOrThrow({
      where: { webhookId: webhook.id },
      include: { attempts: true },
    });
    expect(delivery.status).toBe("succeeded");
    expect(delivery.attempts[0]).toMatchObject({ statusCode: 200, responseBody: "slow but fine" });
    expect(delivery.attempts[0]?.latencyMs).toBeGreaterThanOrEqual(1_400);
  }, 30_000);

  it("two dispatchers on one queue deliver every delivery, none twice, and both take part", async () => {
    const { stack, receiver, project } = await setup();
    // A little time per answer keeps each dispatcher's jobs in flight, so the other one takes some too.
    receiver.reply = () => ({ status: 200, delayMs: 20 });
    const webhook = await project.webhook({ url: receiver.url, event_types: ["*"] });
    const pair = await Promise.all([spawnDispatcher(stack), spawnDispatcher(stack)]);
    // Both workers wait on the queue before the first event: neither can have taken everything alone.
    await eventually(async () => (await stack.queue.getWorkersCount()) === 2 || undefined, 15_000);
    const total = 200;
    for (let batch = 0; batch < total / 20; batch++) {
      await Promise.all(
        Array.from({ length: 20 }, (_, n) => project.event("order.paid", { n: batch * 20 + n })),
      );
    }
    await receiver.waitForRequests(total, 30_000);
    await eventually(async () => (await succeededCount(stack, webhook.id)) === total || undefined, 20_000);
    // A later marker, delivered and recorded: whatever was queued before it has been taken and finished.
    const marker = await project.event("order.marker");
    await eventually(
      async () => (await succeededCount(stack, webhook.id)) === total + 1 || undefined,
      15_000,
    );
    const ids = receiver.requests.map((r) => r.headers["webhook-id"]);
    expect(ids).toHaveLength(total + 1);
    expect(new Set(ids).size).toBe(total + 1);
    expect(ids).toContain(marker.event_id);
    expect(await stack.db.attempt.count({ where: { delivery: { webhookId: webhook.id } } })).toBe(total + 1);
    // Each process counts its own attempts: both delivered some, and together exactly one per delivery.
    const made = await Promise.all(
      pair.map(async (dispatcher) =>
        (await scrape(dispatcher.url)).value("hookrelay_attempts_total", { status_class: "2xx" }),
      ),
    );
    for (const count of made) expect(count).toBeGreaterThan(0);
    expect((made[0] ?? 0) + (made[1] ?? 0)).toBe(total + 1);
  }, 60_000);
});
