import { createHmac } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { eventually, TestReceiver } from "./support/receiver.js";
import { ADMIN_KEY, type Stack, startStack } from "./support/stack.js";

const TIMEOUT_MS = 5_000;

// The walking skeleton end to end: api → PostgreSQL → BullMQ → dispatcher → a real receiver on 127.0.0.1.
describe("event delivery", () => {
  let stack: Stack;
  let receiver: TestReceiver;
  let projectId: string;
  let apiKey: string;

  beforeAll(async () => {
    stack = await startStack({ RETRY_SCHEDULE: "300ms,300ms", DELIVERY_TIMEOUT_MS: String(TIMEOUT_MS) });
    receiver = await TestReceiver.start();
    const project = await stack.call("POST", "/v1/projects", { key: ADMIN_KEY, body: { name: "Acme" } });
    expect(project.status).toBe(201);
    projectId = project.body.id;
    apiKey = project.body.api_key;
  });

  afterAll(async () => {
    await stack?.stop();
    await receiver?.close();
  });

  beforeEach(() => {
    receiver.requests.length = 0;
    receiver.reply = () => ({ status: 200, body: "ok" });
  });

  async function createWebhook(
    path: string,
    eventTypes = ["order.*"],
    project = { id: projectId, key: apiKey },
  ) {
    const created = await stack.call("POST", `/v1/project/${project.id}/webhooks`, {
      key: project.key,
      body: { url: `${receiver.url}${path}`, event_types: eventTypes, headers: { "X-Tenant": "acme" } },
    });
    expect(created.status).toBe(201);
    return created.body as { id: string; secret: string };
  }

  it("delivers the exact stored bytes, signed, and records the attempt", async () => {
    // The receiver takes 200 ms to answer: the recorded latency measures the request, not a constant.
    receiver.reply = () => ({ status: 200, body: "ok", delayMs: 200 });
    const webhook = await createWebhook("/happy");
    const posted = await stack.call("POST", `/v1/project/${projectId}/events`, {
      key: apiKey,
      body: { event_type: "order.paid", data: { amount: 4200, note: "naïve ✓" } },
    });
    expect(posted.status).toBe(202);
    expect(posted.body).toMatchObject({ event_type: "order.paid", deliveries: 1 });
    expect(posted.body.event_id).toMatch(/^evt_/);

    const [request] = await receiver.waitForRequests(1);
    if (!request) throw new Error("no request");
    const event = await stack.db.event.findUniqueOrThrow({ where: { id: posted.body.event_id } });
    expect(request.body.toString("utf8")).toBe(event.payload);
    expect(JSON.parse(event.payload)).toEqual({
      event_id: posted.body.event_id,
      event_type: "order.paid",
      created_at: posted.body.created_at,
      project_id: projectId,
      data: { amount: 4200, note: "naïve ✓" },
    });

    const headers = request.headers;
    expect(headers["content-type"]).toBe("application/json");
    expect(headers["user-agent"]).toMatch(/^hookrelay\/\d+\.\d+\.\d+$/);
    expect(headers["webhook-id"]).toBe(posted.body.event_id);
    expect(headers["x-webhook-event"]).toBe("order.paid");
    expect(headers["x-webhook-delivery"]).toMatch(/^dlv_/);
    expect(headers["x-webhook-attempt"]).toBe("1");
    expect(headers["x-tenant"]).toBe("acme");
    // The official Standard Webhooks library accepts the signature.
    expect(
      new Webhook(webhook.secret).verify(request.body.toString("utf8"), headers as Record<string, string>),
    ).toEqual(JSON.parse(event.payload));
    const compat = createHmac("sha256", webhook.secret).update(request.body).digest("hex");
    expect(headers["x-webhook-signature"]).toBe(`sha256=${compat}`);

    const deliveryId = headers["x-webhook-delivery"] as string;
    const delivery = await eventually(async () => {
      const found = await stack.db.delivery.findUnique({
        where: { id: deliveryId },
        include: { attempts: true },
      });
      return found?.status === "succeeded" ? found : undefined;
    });
    expect(delivery.attemptCount).toBe(1);
    expect(delivery.lastStatusCode).toBe(200);
    expect(delivery.completedAt).not.toBeNull();
    expect(delivery.attempts).toHaveLength(1);
    expect(delivery.attempts[0]).toMatchObject({
      attemptNumber: 1,
      statusCode: 200,
      responseBody: "ok",
      error: null,
    });
    expect(delivery.attempts[0]?.latencyMs).toBeGreaterThanOrEqual(200);
    expect(delivery.attempts[0]?.latencyMs).toBeLessThan(TIMEOUT_MS);

    const listed = await stack.call("GET", `/v1/project/${projectId}/webhooks/${webhook.id}/deliveries`, {
      key: apiKey,
    });
    expect(listed.status).toBe(200);
    expect(listed.body.data[0]).toMatchObject({ id: deliveryId, status: "succeeded", attempt_count: 1 });
    const health = await stack.call("GET", `/v1/project/${projectId}/webhooks/${webhook.id}`, {
      key: apiKey,
    });
    expect(health.body).toMatchObject({ fail_count: 0 });
    expect(health.body.last_success_at).not.toBeNull();
  });

  it("retries 500, 500 then succeeds on the third attempt, recording all three in order", async () => {
    const webhook = await createWebhook("/flaky", ["invoice.created"]);
    receiver.reply = (_request, index) =>
      index < 2 ? { status: 500, body: `boom ${index + 1}` } : { status: 200, body: "finally" };
    const posted = await stack.call("POST", `/v1/project/${projectId}/events`, {
      key: apiKey,
      body: { event_type: "invoice.created", data: { id: 7 } },
    });
    expect(posted.status).toBe(202);

    const requests = await receiver.waitForRequests(3);
    expect(requests.map((r) => r.headers["x-webhook-attempt"])).toEqual(["1", "2", "3"]);
    // Retries resend the identical bytes under the same webhook-id.
    expect(new Set(requests.map((r) => r.body.toString())).size).toBe(1);
    expect(new Set(requests.map((r) => r.headers["webhook-id"])).size).toBe(1);

    const delivery = await eventually(async () => {
      const found = await stack.db.delivery.findFirst({
        where: { webhookId: webhook.id },
        include: { attempts: { orderBy: { attemptNumber: "asc" } } },
      });
      return found?.status === "succeeded" ? found : undefined;
    });
    expect(delivery.attemptCount).toBe(3);
    expect(delivery.attempts.map((a) => [a.attemptNumber, a.statusCode, a.responseBody])).toEqual([
      [1, 500, "boom 1"],
      [2, 500, "boom 2"],
      [3, 200, "finally"],
    ]);
    const attempts = await stack.call(
      "GET",
      `/v1/project/${projectId}/webhooks/${webhook.id}/deliveries/${delivery.id}/attempts`,
      { key: apiKey },
    );
    expect(attempts.body.data.map((a: { attempt_number: number }) => a.attempt_number)).toEqual([1, 2, 3]);
  });

  it("fans out to every matching enabled webhook and skips the rest", async () => {
    const matching = await createWebhook("/fan-a", ["shipment.*"]);
    const everything = await createWebhook("/fan-b", ["*"]);
    const other = await createWebhook("/fan-c", ["refund.issued"]);
    const disabled = await createWebhook("/fan-d", ["shipment.sent"]);
    await stack.call("PATCH", `/v1/project/${projectId}/webhooks/${disabled.id}`, {
      key: apiKey,
      body: { enabled: false },
    });
    const posted = await stack.call("POST", `/v1/project/${projectId}/events`, {
      key: apiKey,
      body: { event_type: "shipment.sent", data: {} },
    });
    expect(posted.body.deliveries).toBe(2);
    const requests = await receiver.waitForRequests(2);
    expect(requests.map((r) => r.url).sort()).toEqual(["/fan-a", "/fan-b"]);
    const rows = await stack.db.delivery.findMany({ where: { eventId: posted.body.event_id } });
    expect(rows.map((r) => r.webhookId).sort()).toEqual([matching.id, everything.id].sort());
    expect(rows.some((r) => r.webhookId === other.id || r.webhookId === disabled.id)).toBe(false);
  });

  it("stores an event that matches no webhook, with zero deliveries", async () => {
    // A project of its own, whose only webhook listens to other types: nothing else could match.
    const quiet = await stack.call("POST", "/v1/projects", { key: ADMIN_KEY, body: { name: "Quiet" } });
    const project = { id: quiet.body.id as string, key: quiet.body.api_key as string };
    const webhook = await createWebhook("/never", ["other.thing"], project);
    const post = (eventType: string) =>
      stack.call("POST", `/v1/project/${project.id}/events`, {
        key: project.key,
        body: { event_type: eventType, data: { x: 1 } },
      });
    const posted = await post("nobody.listens");
    expect(posted.status).toBe(202);
    expect(posted.body.deliveries).toBe(0);
    expect(await stack.db.event.count({ where: { id: posted.body.event_id } })).toBe(1);
    expect(await stack.db.delivery.count({ where: { eventId: posted.body.event_id } })).toBe(0);
    // The same project's webhook is live: a type it listens to is delivered, and only that one arrives.
    const heard = await post("other.thing");
    expect(heard.body.deliveries).toBe(1);
    const [request] = await receiver.waitForRequests(1);
    expect(request?.url).toBe("/never");
    expect(request?.headers["webhook-id"]).toBe(heard.body.event_id);
    expect(await stack.db.delivery.count({ where: { webhookId: webhook.id } })).toBe(1);
  });
});
