import { type AttemptRecord, createPrismaClient, type Database, recordAttempts } from "@hookrelay/db";
import { AttemptRecorder } from "@hookrelay/dispatcher";
import { newId } from "@hookrelay/shared";
import { createTestDatabase, type TestDatabase } from "./support/database.js";
import { insertProjectWithWebhook } from "./support/rows.js";

// Group-committed attempt recording against real PostgreSQL: one transaction, the same end state as
// recording the attempts one by one.
describe("attempt recording", () => {
  let database: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = createPrismaClient(database.url);
  });

  afterAll(async () => {
    await db?.$disconnect();
    await database?.drop();
  });

  async function fixture(deliveryCount: number) {
    const { projectId, webhookId } = await insertProjectWithWebhook(db);
    const eventId = newId("event");
    await db.event.create({ data: { id: eventId, projectId, eventType: "a.b", data: {}, payload: "{}" } });
    const deliveryIds = Array.from({ length: deliveryCount }, () => newId("delivery"));
    await db.delivery.createMany({
      data: deliveryIds.map((id) => ({ id, projectId, eventId, webhookId, eventType: "a.b" })),
    });
    return { webhookId, deliveryIds };
  }

  const attempt = (
    deliveryId: string,
    webhookId: string,
    at: number,
    outcome: AttemptRecord["outcome"],
    statusCode: number,
  ): AttemptRecord => ({
    deliveryId,
    webhookId,
    attemptNumber: 1,
    response: { statusCode, responseBody: "b", responseHeaders: null, latencyMs: 3, error: null },
    outcome,
    at: new Date(at),
    failingSince: null,
  });

  it("writes a mixed batch in one go: attempts, delivery states and the webhook's streak", async () => {
    const { webhookId, deliveryIds } = await fixture(4);
    const [a, b, c, d] = deliveryIds as [string, string, string, string];
    const t = Date.now();
    const retryAt = new Date(t + 60_000);
    await recordAttempts(db, [
      attempt(a, webhookId, t, { status: "retry", nextAttemptAt: retryAt }, 500),
      attempt(b, webhookId, t + 1, { status: "succeeded" }, 200),
      attempt(c, webhookId, t + 2, { status: "retry", nextAttemptAt: retryAt }, 503),
      attempt(d, webhookId, t + 3, { status: "failed" }, 500),
    ]);
    expect(await db.attempt.count({ where: { deliveryId: { in: deliveryIds } } })).toBe(4);
    const rows = await db.delivery.findMany({ where: { webhookId }, orderBy: { id: "asc" } });
    expect(rows.map((row) => [row.status, row.attemptCount, row.lastStatusCode])).toEqual([
      ["pending", 1, 500],
      ["succeeded", 1, 200],
      ["pending", 1, 503],
      ["failed", 1, 500],
    ]);
    expect(rows[0]?.nextAttemptAt?.getTime()).toBe(retryAt.getTime());
    expect(rows[1]?.completedAt?.getTime()).toBe(t + 1);
    const webhook = await db.webhook.findUniqueOrThrow({ where: { id: webhookId } });
    // Two failures after the last success: the streak started at the first of them.
    expect(webhook.failCount).toBe(2);
    expect(webhook.lastSuccessAt?.getTime()).toBe(t + 1);
    expect(webhook.lastFailureAt?.getTime()).toBe(t + 3);
    expect(webhook.failingSince?.getTime()).toBe(t + 2);
  });

  it("a 410 in a batch disables the webhook and fails its other pending deliveries", async () => {
    const { webhookId, deliveryIds } = await fixture(3);
    const [a, b] = deliveryIds as [string, string, string];
    await recordAttempts(db, [
      attempt(a, webhookId, Date.now(), { status: "succeeded" }, 200),
      attempt(b, webhookId, Date.now() + 1, { status: "failed", disableWebhook: "gone_410" }, 410),
    ]);
    const webhook = await db.webhook.findUniqueOrThrow({ where: { id: webhookId } });
    expect(webhook).toMatchObject({ enabled: false, disabledReason: "gone_410", failCount: 1 });
    const statuses = (await db.delivery.findMany({ where: { webhookId }, orderBy: { id: "asc" } })).map(
      (r) => r.status,
    );
    expect(statuses).toEqual(["succeeded", "failed", "failed"]);
  });

  it("group-commits concurrent records and resolves each only after the write", async () => {
    const { webhookId, deliveryIds } = await fixture(50);
    const recorder = new AttemptRecorder(db, { maxBatch: 20, maxWaitMs: 20 });
    const t = Date.now();
    await Promise.all(
      deliveryIds.map(async (id, n) => {
        await recorder.record(attempt(id, webhookId, t + n, { status: "succeeded" }, 200));
        // Resolved means committed: the row is already there.
        expect(await db.attempt.count({ where: { deliveryId: id } })).toBe(1);
      }),
    );
    await recorder.close();
    expect(await db.delivery.count({ where: { webhookId, status: "succeeded" } })).toBe(50);
  });

  it("carries the streak across batches: failures add up, a success resets, a fresh stamp is not rewritten", async () => {
    const { webhookId, deliveryIds } = await fixture(6);
    const [a, b, c, d, e] = deliveryIds as [string, string, string, string, string];
    const t = Date.now();
    const retry = { status: "retry", nextAttemptAt: new Date(t + 60_000) } as const;
    await recordAttempts(db, [attempt(a, webhookId, t, retry, 500)]);
    await recordAttempts(db, [
      { ...attempt(b, webhookId, t + 1, retry, 502), failingSince: new Date(t) },
      { ...attempt(c, webhookId, t + 2, retry, 503), failingSince: new Date(t) },
    ]);
    let webhook = await db.webhook.findUniqueOrThrow({ where: { id: webhookId } });
    expect(webhook).toMatchObject({ failCount: 3, lastSuccessAt: null });
    expect(webhook.failingSince?.getTime()).toBe(t);
    expect(webhook.lastFailureAt?.getTime()).toBe(t + 2);

    await recordAttempts(db, [attempt(d, webhookId, t + 10, { status: "succeeded" }, 200)]);
    webhook = await db.webhook.findUniqueOrThrow({ where: { id: webhookId } });
    expect(webhook).toMatchObject({ failCount: 0, failingSince: null });
    expect(webhook.lastSuccessAt?.getTime()).toBe(t + 10);
    expect(webhook.lastFailureAt?.getTime()).toBe(t + 2);

    // Healthy, and the stamp is less than a second old: the row is left alone.
    await recordAttempts(db, [attempt(e, webhookId, t + 500, { status: "succeeded" }, 200)]);
    webhook = await db.webhook.findUniqueOrThrow({ where: { id: webhookId } });
    expect(webhook.lastSuccessAt?.getTime()).toBe(t + 10);
  });

  it("stores a response whose body and headers hold NUL characters (replaced, not refused)", async () => {
    const { webhookId, deliveryIds } = await fixture(1);
    const [a] = deliveryIds as [string];
    const record = attempt(a, webhookId, Date.now(), { status: "succeeded" }, 200);
    record.response = {
      ...record.response,
      responseBody: "a\u0000b",
      responseHeaders: { "x-odd": "c\u0000d" },
    };
    await recordAttempts(db, [record]);
    const stored = await db.attempt.findFirstOrThrow({ where: { deliveryId: a } });
    expect(stored.responseBody).toBe("a\uFFFDb");
    expect(stored.responseHeaders).toEqual({ "x-odd": "c\uFFFDd" });
  });
});
