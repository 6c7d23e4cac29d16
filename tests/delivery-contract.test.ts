import { createServer } from "node:net";
import { Webhook } from "standardwebhooks";
import { createProject } from "./support/fixtures.js";
import { eventually, TestReceiver } from "./support/receiver.js";
import { type Stack, startStack } from "./support/stack.js";

// The delivery contract (SPEC "Delivery contract") against real receivers, Redis and PostgreSQL.
describe("delivery contract", () => {
  const stacks: Stack[] = [];
  const receivers: TestReceiver[] = [];

  async function setup(env: Record<string, string>, options?: Parameters<typeof startStack>[1]) {
    const stack = await startStack(env, options);
    stacks.push(stack);
    const receiver = await TestReceiver.start();
    receivers.push(receiver);
    const project = await createProject(stack);
    return { stack, receiver, project };
  }

  afterAll(async () => {
    await Promise.all(stacks.map((stack) => stack.stop()));
    await Promise.all(receivers.map((receiver) => receiver.close()));
  }, 60_000);

  async function finished(stack: Stack, webhookId: string) {
    return eventually(async () => {
      const found = await stack.db.delivery.findFirst({
        where: { webhookId },
        include: { attempts: { orderBy: { attemptNumber: "asc" } } },
      });
      return found && found.status !== "pending" ? found : undefined;
    });
  }

  it("honours Retry-After seconds on 429 instead of the schedule", async () => {
    const { stack, receiver, project } = await setup({ RETRY_SCHEDULE: "20s,20s" });
    receiver.reply = (_r, index) =>
      index === 0 ? { status: 429, headers: { "retry-after": "1" } } : { status: 200 };
    const webhook = await project.webhook({ url: receiver.url, event_types: ["*"] });
    await project.event("a.b");
    const [first, second] = await receiver.waitForRequests(2, 10_000);
    const gap = (second?.at ?? 0) - (first?.at ?? 0);
    expect(gap).toBeGreaterThanOrEqual(900);
    expect(gap).toBeLessThan(5_000);
    expect((await finished(stack, webhook.id)).status).toBe("succeeded");
  });

  it("honours a Retry-After HTTP date on 503, capped at the schedule's largest delay", async () => {
    const { stack, receiver, project } = await setup({ RETRY_SCHEDULE: "300ms,1s" });
    const farFuture = new Date(Date.now() + 3_600_000).toUTCString();
    receiver.reply = (_r, index) =>
      index === 0 ? { status: 503, headers: { "retry-after": farFuture } } : { status: 204 };
    const webhook = await project.webhook({ url: receiver.url, event_types: ["*"] });
    await project.event("a.b");
    const [first, second] = await receiver.waitForRequests(2, 10_000);
    const gap = (second?.at ?? 0) - (first?.at ?? 0);
    expect(gap).toBeGreaterThanOrEqual(900);
    expect(gap).toBeLessThan(3_000);
    const delivery = await finished(stack, webhook.id);
    expect(delivery.attempts.map((a) => a.statusCode)).toEqual([503, 204]);
  });

  it("410 Gone disables the webhook and ends its pending deliveries as failed", async () => {
    const { stack, receiver, project } = await setup({ RETRY_SCHEDULE: "30s" });
    receiver.reply = (request) => (request.url === "/gone" ? { status: 410 } : { status: 500 });
    const webhook = await project.webhook({ url: `${receiver.url}/gone`, event_types: ["later.*"] });
    // A delivery waiting for its retry: it must end as failed too.
    await stack.db.webhook.update({ where: { id: webhook.id }, data: { url: `${receiver.url}/flaky` } });
    await project.event("later.one");
    await receiver.waitForRequests(1);
    const waiting = await eventually(async () => {
      const found = await stack.db.delivery.findFirst({ where: { webhookId: webhook.id, attemptCount: 1 } });
      return found?.status === "pending" ? found : undefined;
    });
    await stack.db.webhook.update({ where: { id: webhook.id }, data: { url: `${receiver.url}/gone` } });
    const gone = await project.event("later.two");
    await receiver.waitForRequests(2);
    const state = await eventually(async () => {
      const found = await stack.db.webhook.findUniqueOrThrow({ where: { id: webhook.id } });
      return found.enabled ? undefined : found;
    });
    expect(state.disabledReason).toBe("gone_410");
    const rows = await stack.db.delivery.findMany({ where: { webhookId: webhook.id } });
    expect(rows.map((row) => row.status)).toEqual(["failed", "failed"]);
    expect(rows.find((row) => row.id === waiting.id)?.completedAt).not.toBeNull();
    const api = await stack.call("GET", project.path(`/webhooks/${webhook.id}`), { key: project.key });
    expect(api.body).toMatchObject({ enabled: false, disabled_reason: "gone_410" });
    // A disabled webhook gets no new deliveries.
    expect((await project.event("later.three")).deliveries).toBe(0);
    expect(gone.deliveries).toBe(1);
  });

  it("stops retrying after RETRY_MAX_AGE and marks the delivery failed", async () => {
    const { stack, receiver, project } = await setup({ RETRY_SCHEDULE: "300ms", RETRY_MAX_AGE: "1s" });
    receiver.reply = () => ({ status: 500, body: "down" });
    const webhook = await project.webhook({ url: receiver.url, event_types: ["*"] });
    await project.event("a.b");
    const delivery = await finished(stack, webhook.id);
    expect(delivery.status).toBe("failed");
    expect(delivery.completedAt).not.toBeNull();
    expect(delivery.attempts.length).toBeGreaterThanOrEqual(2);
    expect(delivery.attempts.length).toBeLessThanOrEqual(5);
    expect(delivery.attempts.every((a) => a.statusCode === 500)).toBe(true);
    const health = await stack.db.webhook.findUniqueOrThrow({ where: { id: webhook.id } });
    expect(health.failCount).toBe(delivery.attempts.length);
    expect(health.lastFailureAt).not.toBeNull();
  });

  it("names failures: timeout, connection_refused, a 3xx is not followed, 1 KiB of body kept", async () => {
    const { stack, receiver, project } = await setup({ RETRY_SCHEDULE: "1h", DELIVERY_TIMEOUT_MS: "300" });
    receiver.reply = (request) => {
      if (request.url === "/redirect")
        return { status: 302, headers: { location: `${receiver.url}/target` } };
      if (request.url === "/big") return { status: 500, body: "é".repeat(2_000) };
      return { status: 200 };
    };
    const closedPort = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, "127.0.0.1", () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const slow = await TestReceiver.start();
    receivers.push(slow);
    slow.reply = () => ({ status: 200, delayMs: 1_500 });

    const cases = [
      { url: `${slow.url}/slow`, error: "timeout", status: null },
      { url: `http://127.0.0.1:${closedPort}/`, error: "connection_refused", status: null },
      { url: `${receiver.url}/redirect`, error: null, status: 302 },
      { url: `${receiver.url}/big`, error: null, status: 500 },
    ];
    const webhooks: Array<{ id: string }> = [];
    for (const [index, one] of cases.entries()) {
      webhooks.push(await project.webhook({ url: one.url, event_types: [`case.${index}`] }));
      await project.event(`case.${index}`);
    }
    for (const [index, one] of cases.entries()) {
      const attempt = await eventually(() =>
        stack.db.attempt
          .findFirst({ where: { delivery: { webhookId: webhooks[index]?.id } } })
          .then((a) => a ?? undefined),
      );
      expect({ error: attempt.error, status: attempt.statusCode }).toEqual({
        error: one.error,
        status: one.status,
      });
    }
    expect(receiver.requests.some((r) => r.url === "/target")).toBe(false);
    const big = await stack.db.attempt.findFirstOrThrow({
      where: { delivery: { webhookId: webhooks[3]?.id } },
    });
    expect(Buffer.byteLength(big.responseBody ?? "")).toBeLessThanOrEqual(1024);
    expect(Buffer.byteLength(big.responseBody ?? "")).toBeGreaterThan(1000);
    const timedOut = await stack.db.attempt.findFirstOrThrow({
      where: { delivery: { webhookId: webhooks[0]?.id } },
    });
    expect(timedOut.latencyMs).toBeGreaterThanOrEqual(250);
    expect(timedOut.latencyMs).toBeLessThan(1_400);
  });

  it("counts consecutive failures, resets on success, and auto-disables a webhook failing for the window", async () => {
    const { stack, receiver, project } = await setup({
      RETRY_SCHEDULE: "300ms",
      AUTO_DISABLE_AFTER: "1500ms",
    });
    let healthy = false;
    receiver.reply = () => (healthy ? { status: 200 } : { status: 500 });
    const webhook = await project.webhook({ url: receiver.url, event_types: ["*"] });
    await project.event("a.b");
    const failing = await eventually(async () => {
      const found = await stack.db.webhook.findUniqueOrThrow({ where: { id: webhook.id } });
      return found.failCount >= 2 ? found : undefined;
    });
    expect(failing.failingSince).not.toBeNull();
    healthy = true;
    const recovered = await eventually(async () => {
      const found = await stack.db.webhook.findUniqueOrThrow({ where: { id: webhook.id } });
      return found.failCount === 0 ? found : undefined;
    });
    expect(recovered.failingSince).toBeNull();
    expect(recovered.lastSuccessAt).not.toBeNull();

    healthy = false;
    const before = receiver.requests.length;
    await project.event("a.c");
    const disabled = await eventually(async () => {
      const found = await stack.db.webhook.findUniqueOrThrow({ where: { id: webhook.id } });
      return found.enabled ? undefined : found;
    }, 10_000);
    expect(disabled.disabledReason).toBe("auto_failing");
    const attemptsWhileFailing = receiver.requests.length - before;
    expect(attemptsWhileFailing).toBeGreaterThanOrEqual(3);
    const last = await stack.db.delivery.findFirstOrThrow({
      where: { webhookId: webhook.id },
      orderBy: { id: "desc" },
    });
    expect(last.status).toBe("failed");
    // Its queued retries stop: nothing more arrives.
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(receiver.requests.length - before).toBe(attemptsWhileFailing);
  });

  it("sends custom headers and signs with both secrets for 24 h after a rotation", async () => {
    const { receiver, project, stack } = await setup({});
    const webhook = await project.webhook({
      url: receiver.url,
      event_types: ["*"],
      headers: { "X-Custom": "yes" },
    });
    const rotated = await stack.call("POST", project.path(`/webhooks/${webhook.id}/rotate-secret`), {
      key: project.key,
    });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(webhook.secret);
    await project.event("a.b", { n: 1 });
    const [request] = await receiver.waitForRequests(1);
    if (!request) throw new Error("no request");
    expect(request.headers["x-custom"]).toBe("yes");
    expect((request.headers["webhook-signature"] as string).split(" ")).toHaveLength(2);
    const headers = request.headers as Record<string, string>;
    for (const secret of [webhook.secret, rotated.body.secret]) {
      expect(new Webhook(secret).verify(request.body.toString(), headers)).toMatchObject({ data: { n: 1 } });
    }
    // After the window only the new secret signs.
    await stack.db.webhook.update({
      where: { id: webhook.id },
      data: { previousSecretExpiresAt: new Date(Date.now() - 1) },
    });
    await project.event("a.b", { n: 2 });
    const [, later] = await receiver.waitForRequests(2);
    if (!later) throw new Error("no second request");
    expect(String(later.headers["webhook-signature"]).split(" ")).toHaveLength(1);
    expect(() =>
      new Webhook(webhook.secret).verify(
        later?.body.toString() ?? "",
        later?.headers as Record<string, string>,
      ),
    ).toThrow();
  });

  it("spreads deliveries to a rate-limited endpoint (5/s, 50 events): delayed, not dropped, not failed", async () => {
    const { stack, receiver, project } = await setup({});
    const webhook = await project.webhook({
      url: receiver.url,
      event_types: ["*"],
      rate_limit_per_second: 5,
    });
    await Promise.all(Array.from({ length: 50 }, (_, n) => project.event("burst.item", { n })));
    const requests = await receiver.waitForRequests(50, 20_000);
    const times = requests.map((r) => r.at).sort((a, b) => a - b);
    const span = (times.at(-1) ?? 0) - (times[0] ?? 0);
    expect(span).toBeGreaterThanOrEqual(8_500);
    // No one-second window holds more than the limit (+1 for timer and network jitter at the edges).
    const busiest = Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + 1_000).length));
    expect(busiest).toBeLessThanOrEqual(6);
    const rows = await stack.db.delivery.findMany({ where: { webhookId: webhook.id } });
    expect(rows).toHaveLength(50);
    await eventually(async () => {
      const done = await stack.db.delivery.count({ where: { webhookId: webhook.id, status: "succeeded" } });
      return done === 50 || undefined;
    });
    expect(await stack.db.attempt.count({ where: { delivery: { webhookId: webhook.id } } })).toBe(50);
    const health = await stack.db.webhook.findUniqueOrThrow({ where: { id: webhook.id } });
    expect(health.failCount).toBe(0);
  }, 40_000);
});
