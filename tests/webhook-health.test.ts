import { verifyWebhook } from "@hookrelay/client";
import { sweepOutbox } from "@hookrelay/dispatcher";
import { createLogger, createRedisConnection, DEVELOPMENT_SECRETS_KEY, SecretBox } from "@hookrelay/shared";
import { createProject } from "./support/fixtures.js";
import { eventually, TestReceiver } from "./support/receiver.js";
import { type Stack, startStack } from "./support/stack.js";

// Holes a fault review found in the webhook's own state (issue 11, items 5 and 10): re-enabling kept the
// failure streak's start, concurrent rotations lost a secret, header values Node cannot send were accepted.
describe("webhook health and secrets", () => {
  let stack: Stack;
  let receiver: TestReceiver;
  const secretBox = new SecretBox(DEVELOPMENT_SECRETS_KEY);

  beforeAll(async () => {
    // One attempt per delivery in these tests: the retry is an hour away.
    stack = await startStack({ RETRY_SCHEDULE: "1h" });
    receiver = await TestReceiver.start();
  });

  afterAll(async () => {
    await stack?.stop();
    await receiver?.close();
  });

  it("re-enabling a webhook disabled for failing starts its failure streak afresh: the next failure is retried, not a disable", async () => {
    receiver.reply = () => ({ status: 500, body: "still broken" });
    const project = await createProject(stack);
    const webhook = await project.webhook({ url: receiver.url, event_types: ["order.*"] });
    // Disabled by auto-disable six days into a failure streak (AUTO_DISABLE_AFTER is 5 days).
    const sixDaysAgo = new Date(Date.now() - 6 * 24 * 3600 * 1000);
    await stack.db.webhook.update({
      where: { id: webhook.id },
      data: { enabled: false, disabledReason: "auto_failing", failCount: 40, failingSince: sixDaysAgo },
    });

    const enabled = await stack.call("PATCH", project.path(`/webhooks/${webhook.id}`), {
      key: project.key,
      body: { enabled: true },
    });
    expect(enabled.status).toBe(200);
    expect(enabled.body).toMatchObject({ enabled: true, disabled_reason: null, fail_count: 0 });
    expect((await stack.db.webhook.findUniqueOrThrow({ where: { id: webhook.id } })).failingSince).toBeNull();

    const { event_id: eventId } = await project.event("order.paid", { n: 1 });
    const delivery = await eventually(async () => {
      const found = await stack.db.delivery.findFirst({ where: { eventId, webhookId: webhook.id } });
      return found && found.attemptCount === 1 ? found : undefined;
    });
    expect(delivery.status).toBe("pending");
    expect(delivery.nextAttemptAt).not.toBeNull();
    const after = await stack.db.webhook.findUniqueOrThrow({ where: { id: webhook.id } });
    expect({
      enabled: after.enabled,
      disabledReason: after.disabledReason,
      failCount: after.failCount,
    }).toEqual({
      enabled: true,
      disabledReason: null,
      failCount: 1,
    });
    // The new streak starts at this failure, not six days ago.
    expect(after.failingSince?.getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it("ends a delivery whose secret no longer decrypts (SECRETS_KEY changed) as failed, with the reason, sending nothing", async () => {
    receiver.reply = () => ({ status: 200, body: "ok" });
    const project = await createProject(stack);
    const webhook = await project.webhook({ url: `${receiver.url}/unreadable`, event_types: ["order.*"] });
    const otherKey = new SecretBox(Buffer.alloc(32, 7));
    await stack.db.webhook.update({
      where: { id: webhook.id },
      data: { secretCiphertext: otherKey.encrypt("whsec_c2VjcmV0LXVuZGVyLWFub3RoZXIta2V5LTAwMDAwMA==") },
    });
    const { event_id: eventId } = await project.event("order.paid", { n: 3 });
    const delivery = await eventually(async () => {
      const found = await stack.db.delivery.findFirst({ where: { eventId, webhookId: webhook.id } });
      return found?.status === "failed" ? found : undefined;
    });
    expect(delivery).toMatchObject({ attemptCount: 1, nextAttemptAt: null });
    const attempts = await stack.db.attempt.findMany({ where: { deliveryId: delivery.id } });
    expect(attempts.map((row) => ({ error: row.error, statusCode: row.statusCode }))).toEqual([
      { error: "secret_unreadable", statusCode: null },
    ]);
    expect(receiver.requests.filter((request) => request.url.endsWith("/unreadable"))).toHaveLength(0);
  });

  it("concurrent rotations keep every secret handed out in the chain: current and previous are the last two", async () => {
    receiver.reply = () => ({ status: 200, body: "ok" });
    const project = await createProject(stack);
    const webhook = await project.webhook({ url: receiver.url, event_types: ["order.*"] });
    const rotations = await Promise.all(
      Array.from({ length: 6 }, () =>
        stack.call("POST", project.path(`/webhooks/${webhook.id}/rotate-secret`), { key: project.key }),
      ),
    );
    expect(rotations.map((rotation) => rotation.status)).toEqual(Array(6).fill(200));
    const handedOut = rotations.map((rotation) => rotation.body.secret as string);
    expect(new Set(handedOut).size).toBe(6);

    const stored = await stack.db.webhook.findUniqueOrThrow({ where: { id: webhook.id } });
    const current = secretBox.decrypt(stored.secretCiphertext);
    const previous = secretBox.decrypt(stored.previousSecretCiphertext ?? "");
    // Before the fix every rotation made the original secret the previous one, and five of the six
    // secrets handed out never signed anything.
    expect(handedOut).toContain(current);
    expect(handedOut).toContain(previous);
    expect(previous).not.toBe(webhook.secret);

    const before = receiver.requests.length;
    await project.event("order.paid", { n: 2 });
    const [request] = (await receiver.waitForRequests(before + 1)).slice(before);
    if (!request) throw new Error("no delivery");
    expect(request.headers["webhook-signature"]?.toString().split(" ")).toHaveLength(2);
    for (const secret of [current, previous]) {
      const event = verifyWebhook(request.body, request.headers, secret) as { event_type: string };
      expect(event.event_type).toBe("order.paid");
    }
  });

  it.each([
    ["a euro sign", "5 €"],
    ["an emoji", "ok 👍"],
    ["a line break", "a\nb"],
    ["a Latin-1 letter (sent as UTF-8 bytes, read back as Latin-1)", "Zürich"],
  ])(
    "refuses a custom header value that would not arrive exactly (%s) at create and PATCH, creating nothing",
    async (_, value) => {
      const project = await createProject(stack);
      const created = await stack.call("POST", project.path("/webhooks"), {
        key: project.key,
        body: { url: receiver.url, event_types: ["*"], headers: { "X-Price": value } },
      });
      expect(created.status).toBe(422);
      expect(created.body.error.code).toBe("validation_error");
      expect(created.body.error.message).toMatch(/^headers\.X-Price: /);
      expect(await stack.db.webhook.count({ where: { projectId: project.id } })).toBe(0);

      const webhook = await project.webhook({
        url: receiver.url,
        event_types: ["*"],
        headers: { "X-Price": "5 EUR" },
      });
      const patched = await stack.call("PATCH", project.path(`/webhooks/${webhook.id}`), {
        key: project.key,
        body: { headers: { "X-Price": value } },
      });
      expect(patched.status).toBe(422);
      const kept = await stack.db.webhook.findUniqueOrThrow({ where: { id: webhook.id } });
      expect(kept.headers).toEqual({ "X-Price": "5 EUR" });
    },
  );
});

describe("test sends", () => {
  let stack: Stack;
  let receiver: TestReceiver;

  beforeAll(async () => {
    // No dispatcher: what the sweep puts in the queue stays there to be seen.
    stack = await startStack({}, { dispatcher: false });
    receiver = await TestReceiver.start();
  });

  afterAll(async () => {
    await stack?.stop();
    await receiver?.close();
  });

  it("are sent once: the outbox sweep never takes a test send in flight (or one whose api died) for a lost delivery", async () => {
    receiver.reply = () => ({ status: 200, body: "ok", delayMs: 1_500 });
    const project = await createProject(stack);
    const webhook = await project.webhook({ url: receiver.url, event_types: ["order.*"] });
    const sending = stack.call("POST", project.path(`/webhooks/${webhook.id}/test`), { key: project.key });
    const delivery = await eventually(() =>
      stack.db.delivery.findFirst({ where: { webhookId: webhook.id } }).then((found) => found ?? undefined),
    );
    // As if the send had been in flight (or its api dead) for ten minutes: long overdue for the sweep.
    const tenMinutesAgo = new Date(Date.now() - 10 * 60_000);
    await stack.db.delivery.update({
      where: { id: delivery.id },
      data: { createdAt: tenMinutesAgo, enqueuedAt: tenMinutesAgo },
    });
    const logger = createLogger("test", "silent");
    const redis = createRedisConnection(stack.env.REDIS_URL ?? "redis://127.0.0.1:6379", "worker", logger);
    const swept = await sweepOutbox({
      db: stack.db,
      queues: stack.queues,
      redis,
      logger,
      graceMs: 0,
    }).finally(() => redis.disconnect());
    expect(swept).toBe(0);
    expect(await stack.queue.getJob(delivery.id)).toBeUndefined();

    const answer = await sending;
    expect(answer.body).toMatchObject({ delivery_id: delivery.id, success: true });
    expect(await stack.db.delivery.findUniqueOrThrow({ where: { id: delivery.id } })).toMatchObject({
      status: "succeeded",
      attemptCount: 1,
    });
    expect(receiver.requests).toHaveLength(1);
  });
});
