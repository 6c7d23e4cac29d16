import { newId } from "@hookrelay/shared";
import { Webhook } from "standardwebhooks";
import { createProject, type TestProject } from "./support/fixtures.js";
import { eventually, TestReceiver } from "./support/receiver.js";
import { type Stack, startStack } from "./support/stack.js";

// The operator's API: events, the delivery log with filters, replay, recover, idempotent ingest, paging.
describe("operator api", () => {
  let stack: Stack;
  let receiver: TestReceiver;
  let project: TestProject;

  beforeAll(async () => {
    stack = await startStack({ RETRY_SCHEDULE: "200ms", RETRY_MAX_AGE: "500ms" });
    receiver = await TestReceiver.start();
    project = await createProject(stack);
  });

  afterAll(async () => {
    await stack?.stop();
    await receiver?.close();
  }, 60_000);

  beforeEach(() => {
    receiver.requests.length = 0;
    receiver.reply = () => ({ status: 200 });
  });

  const get = (path: string) => stack.call("GET", project.path(path), { key: project.key });
  const post = (path: string, body?: unknown) =>
    stack.call("POST", project.path(path), { key: project.key, body });

  async function settled(webhookId: string, count: number) {
    return eventually(async () => {
      const rows = await stack.db.delivery.findMany({ where: { webhookId }, orderBy: { id: "asc" } });
      return rows.length === count && rows.every((row) => row.status !== "pending") ? rows : undefined;
    });
  }

  it("lists events with filters and shows one with its deliveries", async () => {
    const webhook = await project.webhook({ url: receiver.url, event_types: ["shop.*"] });
    const before = new Date();
    const first = await project.event("shop.order", { n: 1 });
    await project.event("shop.refund", { n: 2 });
    const unmatched = await project.event("other.thing", { n: 3 });
    expect(unmatched.deliveries).toBe(0);

    const all = await get(`/events?since=${before.toISOString()}`);
    expect(all.body.data.map((e: { event_type: string }) => e.event_type)).toEqual([
      "other.thing",
      "shop.refund",
      "shop.order",
    ]);
    const orders = await get(`/events?event_type=shop.order&since=${before.toISOString()}`);
    expect(orders.body.data).toHaveLength(1);
    expect(orders.body.data[0]).toMatchObject({ id: first.event_id, data: { n: 1 } });
    const none = await get(`/events?until=${new Date(before.getTime() - 60_000).toISOString()}`);
    expect(none.body.data).toEqual([]);

    await settled(webhook.id, 2);
    const one = await get(`/events/${first.event_id}`);
    expect(one.body).toMatchObject({ id: first.event_id, event_type: "shop.order" });
    expect(one.body.deliveries).toEqual([
      expect.objectContaining({
        webhook_id: webhook.id,
        status: "succeeded",
        attempt_count: 1,
        replay_of: null,
      }),
    ]);
    expect((await get(`/events/${unmatched.event_id}`)).body.deliveries).toEqual([]);
    expect((await get("/events/evt_01m80000000000000000000000")).status).toBe(404);
    expect((await get("/events?since=yesterday")).status).toBe(422);
  });

  it("filters the delivery log by status, event type and time", async () => {
    receiver.reply = (request) =>
      request.body.toString().includes('"fail":true') ? { status: 500 } : { status: 200 };
    const webhook = await project.webhook({ url: receiver.url, event_types: ["log.*"] });
    await project.event("log.a", { fail: true });
    await project.event("log.b", { fail: false });
    await project.event("log.a", { fail: false });
    await settled(webhook.id, 3);
    const base = `/webhooks/${webhook.id}/deliveries`;
    const failed = await get(`${base}?status=failed`);
    expect(
      failed.body.data.map((d: { event_type: string; status: string }) => [d.event_type, d.status]),
    ).toEqual([["log.a", "failed"]]);
    expect((await get(`${base}?status=succeeded`)).body.data).toHaveLength(2);
    expect((await get(`${base}?event_type=log.a`)).body.data).toHaveLength(2);
    expect((await get(`${base}?event_type=log.a&status=succeeded`)).body.data).toHaveLength(1);
    expect((await get(`${base}?until=2000-01-01T00:00:00Z`)).body.data).toHaveLength(0);
    expect((await get(`${base}?status=lost`)).status).toBe(422);
    const attempts = await get(`${base}/${failed.body.data[0].id}/attempts`);
    expect(attempts.body.data.length).toBeGreaterThanOrEqual(1);
    expect(attempts.body.data.every((a: { status_code: number }) => a.status_code === 500)).toBe(true);
  });

  it("replays a delivery as a new one with identical bytes; the original is untouched", async () => {
    const webhook = await project.webhook({ url: receiver.url, event_types: ["replay.me"] });
    await project.event("replay.me", { amount: 1 });
    const [original] = await settled(webhook.id, 1);
    if (!original) throw new Error("no delivery");
    const before = await stack.db.delivery.findUniqueOrThrow({ where: { id: original.id } });

    const replayed = await post(`/webhooks/${webhook.id}/deliveries/${original.id}/replay`);
    expect(replayed.status).toBe(202);
    expect(replayed.body.delivery_id).toMatch(/^dlv_/);
    const requests = await receiver.waitForRequests(2);
    expect(requests[1]?.body.equals(requests[0]?.body ?? Buffer.alloc(0))).toBe(true);
    expect(requests[1]?.headers["webhook-id"]).toBe(requests[0]?.headers["webhook-id"]);
    expect(requests[1]?.headers["x-webhook-delivery"]).toBe(replayed.body.delivery_id);

    const copy = await eventually(async () => {
      const found = await get(`/webhooks/${webhook.id}/deliveries/${replayed.body.delivery_id}`);
      return found.body.status === "succeeded" ? found.body : undefined;
    });
    expect(copy).toMatchObject({ replay_of: original.id, event_id: original.eventId, attempt_count: 1 });
    expect(await stack.db.delivery.findUniqueOrThrow({ where: { id: original.id } })).toEqual(before);
    expect(
      (await post(`/webhooks/${webhook.id}/deliveries/dlv_01m80000000000000000000000/replay`)).status,
    ).toBe(404);
  });

  it("recovers every failed delivery of a window once, in batches, and counts them", async () => {
    receiver.reply = () => ({ status: 503 });
    const webhook = await project.webhook({ url: receiver.url, event_types: ["recover.*"] });
    const since = new Date();
    await Promise.all(Array.from({ length: 12 }, (_, n) => project.event("recover.item", { n })));
    const rows = await settled(webhook.id, 12);
    expect(rows.every((row) => row.status === "failed")).toBe(true);

    receiver.reply = () => ({ status: 200 });
    receiver.requests.length = 0;
    const recovered = await post(`/webhooks/${webhook.id}/recover`, { since: since.toISOString() });
    expect([recovered.status, recovered.body.count]).toEqual([202, 12]);
    expect(recovered.body.recovery).toMatchObject({ total: 12, include_missed: false });
    await receiver.waitForRequests(12);
    await eventually(async () => {
      const done = await stack.db.delivery.count({ where: { webhookId: webhook.id, status: "succeeded" } });
      return done === 12 || undefined;
    });
    const replays = await stack.db.delivery.findMany({
      where: { webhookId: webhook.id, replayOfId: { not: null } },
    });
    expect(new Set(replays.map((r) => r.eventId)).size).toBe(12);
    // Nothing left to recover: every event now has a succeeded delivery.
    expect((await post(`/webhooks/${webhook.id}/recover`, { since: since.toISOString() })).body.count).toBe(
      0,
    );
    // A window before the failures holds none.
    const earlier = { since: "2000-01-01T00:00:00Z", until: new Date(since.getTime() - 1000).toISOString() };
    expect((await post(`/webhooks/${webhook.id}/recover`, earlier)).body.count).toBe(0);
    expect((await post(`/webhooks/${webhook.id}/recover`, {})).status).toBe(422);
  });

  it("replays each event once when recovers of the same window run concurrently", async () => {
    receiver.reply = () => ({ status: 503 });
    const webhook = await project.webhook({ url: receiver.url, event_types: ["race.*"] });
    const since = new Date();
    await Promise.all(Array.from({ length: 20 }, (_, n) => project.event("race.item", { n })));
    const rows = await settled(webhook.id, 20);
    expect(rows.every((row) => row.status === "failed")).toBe(true);

    receiver.reply = () => ({ status: 200 });
    const answers = await Promise.all(
      Array.from({ length: 4 }, () =>
        post(`/webhooks/${webhook.id}/recover`, { since: since.toISOString() }),
      ),
    );
    expect(answers.every((answer) => answer.status === 202)).toBe(true);
    // Each answers what the window held when it started; together they replay each event once.
    expect(answers.every((answer) => answer.body.count === 20)).toBe(true);
    const done = await eventually(async () => {
      const recoveries = await stack.db.recovery.findMany({ where: { webhookId: webhook.id } });
      return recoveries.every((recovery) => recovery.state === "done") ? recoveries : undefined;
    });
    expect(done.reduce((sum, recovery) => sum + recovery.done, 0)).toBe(20);
    const replays = await stack.db.delivery.findMany({
      where: { webhookId: webhook.id, replayOfId: { not: null } },
    });
    expect(replays).toHaveLength(20);
    expect(new Set(replays.map((replay) => replay.eventId)).size).toBe(20);
    // Let the replays finish before the next test looks at the receiver.
    await eventually(async () => {
      const done = await stack.db.delivery.count({ where: { webhookId: webhook.id, status: "succeeded" } });
      return done === 20 || undefined;
    });
    receiver.requests.length = 0;
  });

  it("refuses to replay or recover while the webhook is disabled (409)", async () => {
    const webhook = await project.webhook({ url: receiver.url, event_types: ["off.*"], enabled: false });
    const recovered = await post(`/webhooks/${webhook.id}/recover`, { since: "2000-01-01T00:00:00Z" });
    expect(recovered.status).toBe(409);
    expect(recovered.body.error.code).toBe("conflict");
  });

  it("sends a test event now, once, answers with the outcome, and logs it", async () => {
    const webhook = await project.webhook({ url: receiver.url, event_types: ["nothing.else"] });
    receiver.reply = () => ({ status: 200, body: "got it" });
    const ok = await post(`/webhooks/${webhook.id}/test`);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({
      delivery_id: expect.stringMatching(/^dlv_/),
      success: true,
      status_code: 200,
      response_body: "got it",
      latency_ms: expect.any(Number),
      error: null,
    });
    const [request] = receiver.requests;
    expect(request?.headers["x-webhook-event"]).toBe("webhook.test");
    expect(
      new Webhook(webhook.secret).verify(
        request?.body.toString() ?? "",
        request?.headers as Record<string, string>,
      ),
    ).toMatchObject({
      event_type: "webhook.test",
      data: { webhook_id: webhook.id },
    });
    const logged = await get(`/webhooks/${webhook.id}/deliveries/${ok.body.delivery_id}`);
    expect(logged.body).toMatchObject({ status: "succeeded", attempt_count: 1, event_type: "webhook.test" });

    receiver.reply = () => ({ status: 500, body: "nope" });
    const failed = await post(`/webhooks/${webhook.id}/test`);
    expect(failed.body).toMatchObject({
      success: false,
      status_code: 500,
      response_body: "nope",
      error: null,
    });
    const failedLog = await get(`/webhooks/${webhook.id}/deliveries/${failed.body.delivery_id}`);
    expect(failedLog.body).toMatchObject({ status: "failed", attempt_count: 1, next_attempt_at: null });
    // Nothing can send it again: it is final (the outbox sweep takes only pending deliveries) and no job
    // for it waits in the queue.
    expect(await stack.queue.getJobState(failed.body.delivery_id)).toBe("unknown");
    // A positive control instead of a pause: an event to the same webhook through the queue, whose first
    // attempt fails. Its retry is due a retry delay after it was posted, which is after the test send
    // failed; a retry of the test send would have been due (and sent) first.
    receiver.reply = (request) =>
      request.headers["x-webhook-event"] === "nothing.else" && request.headers["x-webhook-attempt"] === "1"
        ? { status: 500 }
        : { status: 200 };
    const marker = await project.event("nothing.else");
    await eventually(async () =>
      receiver.requests.some(
        (request) =>
          request.headers["webhook-id"] === marker.event_id && request.headers["x-webhook-attempt"] === "2",
      ),
    );
    expect(
      receiver.requests.map((request) => [
        request.headers["x-webhook-event"],
        request.headers["x-webhook-attempt"],
      ]),
    ).toEqual([
      ["webhook.test", "1"],
      ["webhook.test", "1"],
      ["nothing.else", "1"],
      ["nothing.else", "2"],
    ]);
  });

  describe("idempotent ingest", () => {
    it("answers a repeated event_id or Idempotency-Key with the first result (200) and creates nothing", async () => {
      const body = { event_type: "idem.test", data: { a: 1 }, event_id: "order-42" };
      const first = await post("/events", body);
      const again = await post("/events", { ...body, data: { a: 2 } });
      expect(first.status).toBe(202);
      expect(again).toEqual({ status: 200, body: first.body });

      const headers = { "idempotency-key": "req-7" };
      const one = await stack.call("POST", project.path("/events"), {
        key: project.key,
        body: { event_type: "idem.x", data: {} },
        headers,
      });
      const two = await stack.call("POST", project.path("/events"), {
        key: project.key,
        body: { event_type: "idem.x", data: {} },
        headers,
      });
      expect([one.status, two.status]).toEqual([202, 200]);
      expect(two.body.event_id).toBe(one.body.event_id);
      expect(
        await stack.db.event.count({ where: { projectId: project.id, eventType: { startsWith: "idem." } } }),
      ).toBe(2);
    });

    it("creates exactly one event from 100 concurrent identical requests", async () => {
      const webhook = await project.webhook({ url: receiver.url, event_types: ["race.*"] });
      const body = { event_type: "race.once", data: { n: 1 }, event_id: "race-1" };
      const answers = await Promise.all(Array.from({ length: 100 }, () => post("/events", body)));
      expect(answers.filter((a) => a.status === 202)).toHaveLength(1);
      expect(answers.filter((a) => a.status === 200)).toHaveLength(99);
      expect(new Set(answers.map((a) => a.body.event_id)).size).toBe(1);
      expect(await stack.db.event.count({ where: { projectId: project.id, eventType: "race.once" } })).toBe(
        1,
      );
      await settled(webhook.id, 1);
      expect(await stack.db.delivery.count({ where: { webhookId: webhook.id } })).toBe(1);
    });

    it("accepts the same key again after 24 hours", async () => {
      const body = { event_type: "idem.late", data: {}, event_id: "late-1" };
      const first = await post("/events", body);
      // As if posted 25 hours ago: the event and its key's claim (the key expires 24 h after it).
      const postedAt = new Date(Date.now() - 25 * 3600 * 1000);
      await stack.db.event.update({ where: { id: first.body.event_id }, data: { createdAt: postedAt } });
      const backdated = await stack.db.idempotencyKey.updateMany({
        where: { eventId: first.body.event_id },
        data: { createdAt: postedAt, expiresAt: new Date(postedAt.getTime() + 24 * 3600 * 1000) },
      });
      expect(backdated.count).toBe(1);
      const later = await post("/events", body);
      expect(later.status).toBe(202);
      expect(later.body.event_id).not.toBe(first.body.event_id);
    });
  });

  it("pages through 1,000 deliveries while new ones arrive: nothing skipped, nothing repeated", async () => {
    const webhook = await project.webhook({
      url: "https://hooks.example.com/paging",
      event_types: ["never.sent"],
    });
    const event = await stack.db.event.create({
      data: { id: newId("event"), projectId: project.id, eventType: "page.test", data: {}, payload: "{}" },
    });
    const row = (at: number) => ({
      id: newId("delivery", at),
      projectId: project.id,
      eventId: event.id,
      webhookId: webhook.id,
      eventType: "page.test",
      status: "succeeded" as const,
      createdAt: new Date(at),
    });
    const start = Date.now() - 10_000;
    const existing = Array.from({ length: 1_000 }, (_, n) => row(start + n));
    await stack.db.delivery.createMany({ data: existing });

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { body: { data: Array<{ id: string }>; next_cursor: string | null } } = await get(
        `/webhooks/${webhook.id}/deliveries?limit=100${cursor ? `&cursor=${cursor}` : ""}`,
      );
      seen.push(...page.body.data.map((d) => d.id));
      cursor = page.body.next_cursor;
      // New deliveries keep arriving between pages.
      await stack.db.delivery.createMany({ data: Array.from({ length: 25 }, () => row(Date.now())) });
      pages += 1;
    } while (cursor && pages < 50);

    expect(new Set(seen).size).toBe(seen.length);
    const seenSet = new Set(seen);
    expect(existing.filter((d) => !seenSet.has(d.id))).toEqual([]);
    expect(pages).toBeLessThan(50);
    expect((await get(`/webhooks/${webhook.id}/deliveries?limit=251`)).status).toBe(422);
  });
});
