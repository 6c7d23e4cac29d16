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
  it("keeps one record's problem its own: a vanished delivery and a twin's attempt number are skipped, the rest written", async () => {
    const { webhookId, deliveryIds } = await fixture(3);
    const [a, b, c] = deliveryIds as [string, string, string];
    const t = Date.now();
    // b's attempt 1 is already recorded (a stalled job's twin got there first), with its outcome.
    await recordAttempts(db, [attempt(b, webhookId, t, { status: "succeeded" }, 200)]);
    // c's delivery is gone (its webhook was deleted mid-flight, say).
    await db.delivery.delete({ where: { id: c } });

    await expect(
      recordAttempts(db, [
        attempt(a, webhookId, t + 1, { status: "succeeded" }, 200),
        attempt(b, webhookId, t + 2, { status: "retry", nextAttemptAt: new Date(t + 60_000) }, 500),
        attempt(c, webhookId, t + 3, { status: "succeeded" }, 200),
      ]),
    ).resolves.toBeUndefined();

    expect(await db.delivery.findUniqueOrThrow({ where: { id: a } })).toMatchObject({
      status: "succeeded",
      attemptCount: 1,
    });
    // The twin's attempt changed nothing: b keeps the first recording's attempt and state.
    const twins = await db.attempt.findMany({ where: { deliveryId: b } });
    expect(twins.map((row) => row.statusCode)).toEqual([200]);
    expect(await db.delivery.findUniqueOrThrow({ where: { id: b } })).toMatchObject({
      status: "succeeded",
      nextAttemptAt: null,
    });
    expect(await db.attempt.count({ where: { deliveryId: c } })).toBe(0);
  });

  it("records a batch holding a 410 for a webhook deleted meanwhile, and the other webhook's attempts", async () => {
    const kept = await fixture(1);
    const gone = await fixture(1);
    const [a] = kept.deliveryIds as [string];
    const [b] = gone.deliveryIds as [string];
    await db.webhook.delete({ where: { id: gone.webhookId } });
    const t = Date.now();
    await expect(
      recordAttempts(db, [
        attempt(a, kept.webhookId, t, { status: "succeeded" }, 200),
        attempt(b, gone.webhookId, t + 1, { status: "failed", disableWebhook: "gone_410" }, 410),
      ]),
    ).resolves.toBeUndefined();
    expect(await db.delivery.findUniqueOrThrow({ where: { id: a } })).toMatchObject({ status: "succeeded" });
  });

  it("group commit: when a batch's statement fails, only the attempt that cannot be written is refused", async () => {
    const { webhookId, deliveryIds } = await fixture(3);
    const [a, b, c] = deliveryIds as [string, string, string];
    const recorder = new AttemptRecorder(db, { maxBatch: 3, maxWaitMs: 50 });
    const t = Date.now();
    // An attempt number beyond PostgreSQL's integer fails the whole statement.
    const broken = { ...attempt(b, webhookId, t + 1, { status: "succeeded" }, 200), attemptNumber: 2 ** 31 };
    const results = await Promise.allSettled([
      recorder.record(attempt(a, webhookId, t, { status: "succeeded" }, 200)),
      recorder.record(broken),
      recorder.record(attempt(c, webhookId, t + 2, { status: "succeeded" }, 200)),
    ]);
    await recorder.close();
    expect(results.map((result) => result.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(await db.attempt.count({ where: { deliveryId: { in: [a, c] } } })).toBe(2);
    expect(await db.attempt.count({ where: { deliveryId: b } })).toBe(0);
  });
});
