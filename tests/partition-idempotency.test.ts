import { randomBytes } from "node:crypto";
import {
  createPrismaClient,
  type Database,
  deleteExpiredIdempotencyKeys,
  ensurePartitions,
  idempotencyKeyHolder,
  insertEventsWithDeliveries,
  type NewEvent,
  PARTITION_PERIOD_MS,
  partitionPeriods,
} from "@hookrelay/db";
import { type IdKind, idAtTime } from "@hookrelay/shared";
import { createTestDatabase, type TestDatabase } from "./support/database.js";
import { insertProjectWithWebhook } from "./support/rows.js";

const HOUR = 3_600_000;
const ULID_CHARACTERS = "0123456789abcdefghjkmnpqrstvwxyz";

function idFrom(kind: IdKind, at: Date): string {
  const random = [...randomBytes(16)].map((byte) => ULID_CHARACTERS[byte % 32]).join("");
  return idAtTime(kind, at, "start").slice(0, -16) + random;
}

// Idempotency keys are unique per project in their own table, whatever partitions the events holding them
// are in; the claim happens in the statement that stores the event.
describe("idempotency keys across partitions", () => {
  let database: TestDatabase;
  let db: Database;
  let projectId: string;
  let webhookId: string;
  /** The starts of three consecutive periods with partitions of their own. */
  let periodStarts: Date[];

  beforeAll(async () => {
    database = await createTestDatabase();
    db = createPrismaClient(database.url);
    ({ projectId, webhookId } = await insertProjectWithWebhook(db));
    await ensurePartitions(db);
    periodStarts = (await partitionPeriods(db)).flatMap((period) => (period.from ? [period.from] : []));
    expect(periodStarts.length).toBeGreaterThanOrEqual(3);
  });

  afterAll(async () => {
    await db?.$disconnect();
    await database?.drop();
  });

  /** An event with one delivery, at `at`, holding `key` until `expiresAt` (null: while it exists). */
  function newEvent(at: Date, key: string, expiresAt: Date | null): NewEvent {
    return {
      id: idFrom("event", at),
      projectId,
      eventType: "order.paid",
      dataJson: "{}",
      payload: "{}",
      idempotencyKey: key,
      idempotencyExpiresAt: expiresAt,
      createdAt: at,
      deliveries: [{ id: idFrom("delivery", at), webhookId }],
    };
  }

  const inPeriod = (index: number, hours = 1) =>
    new Date((periodStarts[index]?.getTime() ?? 0) + hours * HOUR);
  const partitionOf = async (eventId: string) => {
    const [row] = await db.$queryRaw<Array<{ partition: string }>>`
      SELECT tableoid::regclass::text AS partition FROM events WHERE id = ${eventId}`;
    return row?.partition;
  };

  it("keeps a key to its first event when the repeat's id falls in another partition", async () => {
    const first = newEvent(inPeriod(0), "pay-1", inPeriod(2));
    const repeat = newEvent(inPeriod(1), "pay-1", inPeriod(3));
    expect(await insertEventsWithDeliveries(db, [first])).toEqual(new Set([first.id]));
    expect(await insertEventsWithDeliveries(db, [repeat])).toEqual(new Set());
    // Two partitions: the first event's, and the next period's, where the repeat's id would have gone.
    expect(await partitionOf(first.id)).toMatch(/^events_p\d{8}$/);
    expect(repeat.id > idAtTime("event", periodStarts[1] ?? new Date(), "start")).toBe(true);
    expect(await db.event.count({ where: { id: repeat.id } })).toBe(0);
    expect(await db.delivery.count({ where: { eventId: repeat.id } })).toBe(0);

    // The holder is answered with its deliveries, replays not counted.
    await db.delivery.create({
      data: {
        id: idFrom("delivery", inPeriod(1)),
        projectId,
        eventId: first.id,
        webhookId,
        eventType: "order.paid",
        replayOfId: first.deliveries[0]?.id ?? null,
      },
    });
    const holder = await idempotencyKeyHolder(db, { projectId, key: "pay-1", now: inPeriod(1) });
    expect(holder).toMatchObject({ id: first.id, eventType: "order.paid", deliveries: 1 });
    expect(holder?.createdAt.getTime()).toBe(first.createdAt.getTime());
  });

  it("stores one event of many racing with one key, in one statement or in concurrent ones", async () => {
    const racing = Array.from({ length: 12 }, (_, n) =>
      newEvent(inPeriod(n % 3, 2), "pay-2", inPeriod(2, 100)),
    );
    const results = await Promise.all(racing.map((event) => insertEventsWithDeliveries(db, [event])));
    expect(results.filter((inserted) => inserted.size === 1)).toHaveLength(1);
    const together = Array.from({ length: 3 }, (_, n) => newEvent(inPeriod(n, 3), "pay-3", inPeriod(2, 100)));
    expect((await insertEventsWithDeliveries(db, together)).size).toBe(1);
    for (const key of ["pay-2", "pay-3"]) {
      expect(await db.event.count({ where: { projectId, idempotencyKey: key } })).toBe(1);
      expect(await db.idempotencyKey.count({ where: { projectId, key } })).toBe(1);
    }
  });

  it("frees a key after its window: the next event in a later partition takes it, the first stays", async () => {
    const first = newEvent(inPeriod(0, 4), "pay-4", inPeriod(0, 28));
    await insertEventsWithDeliveries(db, [first]);
    // Still held inside the window.
    expect(await insertEventsWithDeliveries(db, [newEvent(inPeriod(0, 20), "pay-4", inPeriod(1))])).toEqual(
      new Set(),
    );
    expect(await idempotencyKeyHolder(db, { projectId, key: "pay-4", now: inPeriod(0, 20) })).toMatchObject({
      id: first.id,
    });
    // Past it: nobody holds the key, and a new event claims it.
    expect(await idempotencyKeyHolder(db, { projectId, key: "pay-4", now: inPeriod(1) })).toBeNull();
    const second = newEvent(inPeriod(1, 5), "pay-4", inPeriod(1, 29));
    expect(await insertEventsWithDeliveries(db, [second])).toEqual(new Set([second.id]));
    expect(await idempotencyKeyHolder(db, { projectId, key: "pay-4", now: inPeriod(1, 6) })).toMatchObject({
      id: second.id,
    });
    expect(await db.event.count({ where: { id: { in: [first.id, second.id] } } })).toBe(2);
  });

  it("never frees a change source's key (no expiry), and deletes only expired keys", async () => {
    const captured = newEvent(inPeriod(0, 6), "src_1:7:42", null);
    await insertEventsWithDeliveries(db, [captured], { inOutbox: true });
    const muchLater = new Date(inPeriod(2).getTime() + 10 * PARTITION_PERIOD_MS);
    expect(await insertEventsWithDeliveries(db, [newEvent(inPeriod(2, 5), "src_1:7:42", null)])).toEqual(
      new Set(),
    );
    expect(await idempotencyKeyHolder(db, { projectId, key: "src_1:7:42", now: muchLater })).toMatchObject({
      id: captured.id,
    });

    const held = await db.idempotencyKey.count({ where: { expiresAt: null } });
    const expired = await db.idempotencyKey.count({ where: { expiresAt: { lte: muchLater } } });
    expect(expired).toBeGreaterThan(0);
    expect(await deleteExpiredIdempotencyKeys(db, muchLater, { batchSize: 2 })).toBe(expired);
    expect(await db.idempotencyKey.count()).toBe(held);
    expect(await db.idempotencyKey.count({ where: { key: "src_1:7:42" } })).toBe(1);
  });
});
