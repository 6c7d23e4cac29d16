import { advanceRecovery } from "@hookrelay/ingest";
import { createLogger } from "@hookrelay/shared";
import { createProject, type TestProject } from "./support/fixtures.js";
import { eventually, TestReceiver } from "./support/receiver.js";
import { ADMIN_KEY, type Stack, startStack } from "./support/stack.js";

// `POST …/recover` (SPEC): in the background, in bounded batches, replays the window's failed deliveries
// (one per event) and, with include_missed, delivers the events the webhook takes now but never got; its
// progress is a recovery object; calling it twice, or concurrently, delivers no event twice.
describe("recover with include_missed", () => {
  let stack: Stack;
  let receiver: TestReceiver;
  let project: TestProject;
  let failFirst = true;

  beforeAll(async () => {
    stack = await startStack({ RETRY_SCHEDULE: "200ms", RETRY_MAX_AGE: "500ms" });
    receiver = await TestReceiver.start();
    receiver.reply = (request) =>
      request.url === "/orders" && failFirst ? { status: 500, body: "down" } : { status: 200, body: "ok" };
    project = await createProject(stack);
  });

  afterAll(async () => {
    await stack?.stop();
    await receiver?.close();
  });

  const call = (method: string, path: string, body?: unknown) =>
    stack.call(method, project.path(path), { key: project.key, body });

  const eventIdsAt = (path: string) =>
    receiver.requests
      .filter((request) => request.url === path)
      .map((request) => JSON.parse(request.body.toString()).event_id as string);

  async function finished(webhookId: string, recoveryId: string) {
    return eventually(async () => {
      const { body } = await call("GET", `/webhooks/${webhookId}/recoveries/${recoveryId}`);
      return body.state === "done" ? body : undefined;
    }, 20_000);
  }

  it("replays failed deliveries and delivers what a disabled or later webhook missed, matching its filter now", async () => {
    const since = new Date(Date.now() - 1_000).toISOString();
    const before = await project.event("order.paid", { amount: 150 }); // before the webhook existed
    await project.event("order.paid", { amount: 50 }); // its filter refuses this one
    await project.event("invoice.paid", { amount: 500 }); // not its type
    const webhook = await project.webhook({
      url: `${receiver.url}/orders`,
      event_types: ["order.*"],
      filter: { "data.amount": { $gte: 100 } },
    });
    const failed = await project.event("order.paid", { amount: 200 }); // fails for good (500s)
    await eventually(async () => {
      const delivery = await stack.db.delivery.findFirst({ where: { eventId: failed.event_id } });
      return delivery?.status === "failed";
    });
    failFirst = false;
    await call("PATCH", `/webhooks/${webhook.id}`, { enabled: false });
    const whileDisabled = await project.event("order.refunded", { amount: 300 });
    expect(whileDisabled.deliveries).toBe(0);
    await call("PATCH", `/webhooks/${webhook.id}`, { enabled: true });

    const started = await call("POST", `/webhooks/${webhook.id}/recover`, { since, include_missed: true });
    expect(started.status).toBe(202);
    expect(started.body.count).toBe(3);
    expect(started.body.recovery).toMatchObject({ state: "running", total: 3, include_missed: true });
    const done = await finished(webhook.id, started.body.recovery.id);
    expect(done).toMatchObject({ total: 3, done: 3, finished_at: expect.any(String) });

    await eventually(async () => eventIdsAt("/orders").filter((id) => id !== failed.event_id).length >= 2);
    await eventually(async () => {
      const replayed = await stack.db.delivery.findFirst({
        where: { eventId: failed.event_id, replayOfId: { not: null } },
      });
      return replayed?.status === "succeeded";
    });
    const delivered = new Set(eventIdsAt("/orders"));
    expect(delivered).toEqual(new Set([before.event_id, failed.event_id, whileDisabled.event_id]));
    const missed = await stack.db.delivery.findMany({
      where: { webhookId: webhook.id, eventId: { in: [before.event_id, whileDisabled.event_id] } },
    });
    expect(missed.map((delivery) => delivery.replayOfId)).toEqual([null, null]);

    // Again: nothing left to do, nothing sent twice.
    const again = await call("POST", `/webhooks/${webhook.id}/recover`, { since, include_missed: true });
    expect(again.body.count).toBe(0);
    await finished(webhook.id, again.body.recovery.id);
    expect(await stack.db.delivery.count({ where: { webhookId: webhook.id } })).toBe(4);
    // The dashboard shows the webhook's recoveries with their progress.
    const page = await fetch(`${stack.apiUrl}/dashboard/projects/${project.id}/webhooks/${webhook.id}`, {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    const pageHtml = await page.text();
    expect(pageHtml).toContain(`data-recovery="${started.body.recovery.id}"`);
    expect(pageHtml).toMatch(/3 \/ 3/);
    const listed = await call("GET", `/webhooks/${webhook.id}/recoveries`);
    expect(listed.body.data.map((recovery: { id: string }) => recovery.id)).toEqual([
      again.body.recovery.id,
      started.body.recovery.id,
    ]);
  });

  it("two concurrent recoveries over more than one batch deliver each missed event once", async () => {
    const since = new Date(Date.now() - 1_000).toISOString();
    const sent: string[] = [];
    for (let chunk = 0; chunk < 12; chunk++) {
      const batch = await Promise.all(
        Array.from({ length: 50 }, (_, n) => project.event("bulk.created", { n: chunk * 50 + n })),
      );
      sent.push(...batch.map((event) => event.event_id));
    }
    const late = await project.webhook({ url: `${receiver.url}/late`, event_types: ["bulk.*"] });

    const [first, second] = await Promise.all([
      call("POST", `/webhooks/${late.id}/recover`, { since, include_missed: true }),
      call("POST", `/webhooks/${late.id}/recover`, { since, include_missed: true }),
    ]);
    // Each counts what the window holds when it starts (the stack's dispatcher may already be at work).
    expect(first.body.count).toBeLessThanOrEqual(600);
    expect(second.body.count).toBeLessThanOrEqual(600);
    expect(Math.max(first.body.count, second.body.count)).toBe(600);
    // Besides the stack's dispatcher, two more workers advance them at the same time, as other
    // dispatchers would: real concurrent transactions.
    const handOff = { db: stack.db, deliveryQueues: stack.queues, logger: createLogger("test", "silent") };
    const worker = async () => {
      for (let steps = 0; steps < 20 && (await advanceRecovery(handOff)); steps++);
    };
    await Promise.all([worker(), worker()]);
    const [a, b] = await Promise.all([
      finished(late.id, first.body.recovery.id),
      finished(late.id, second.body.recovery.id),
    ]);
    expect(a.done + b.done).toBe(600);

    await eventually(async () => eventIdsAt("/late").length >= 600, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const received = eventIdsAt("/late");
    expect(received).toHaveLength(600);
    expect(new Set(received)).toEqual(new Set(sent));
    expect(await stack.db.delivery.count({ where: { webhookId: late.id } })).toBe(600);
  });

  it("refuses a window that ends before it starts, and a disabled webhook", async () => {
    const webhook = await project.webhook({ url: `${receiver.url}/x`, event_types: ["x.*"] });
    const backwards = await call("POST", `/webhooks/${webhook.id}/recover`, {
      since: "2026-12-02T10:00:00Z",
      until: "2026-12-02T09:00:00Z",
    });
    expect([backwards.status, backwards.body.error.details[0].path]).toEqual([422, "until"]);
    await call("PATCH", `/webhooks/${webhook.id}`, { enabled: false });
    const disabled = await call("POST", `/webhooks/${webhook.id}/recover`, { since: "2026-12-02T09:00:00Z" });
    expect(disabled.status).toBe(409);
  });
});
