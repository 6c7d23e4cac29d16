import {
  type AttemptRecord,
  createPrismaClient,
  type Database,
  declaredRawQueries,
  type NewEvent,
  type RawQuery,
} from "@hookrelay/db";
import { newId } from "@hookrelay/shared";
import pg from "pg";
import { createTestDatabase, type TestDatabase } from "./support/database.js";
import { insertProjectWithWebhook } from "./support/rows.js";

// Raw SQL against the migrated schema: every statement declared with `rawQuery` names only columns that
// exist and returns exactly the row it declares, so renaming a column fails here rather than in production.

interface Seeded {
  projectId: string;
  webhookId: string;
  eventId: string;
  deliveryId: string;
  sourceId: string;
  keyHash: string;
}

/** Arguments to run each declared statement with; a statement without an entry fails the first test. */
function sampleArguments(seeded: Seeded): Record<string, unknown[]> {
  const { projectId, webhookId, eventId, deliveryId, sourceId, keyHash } = seeded;
  const now = new Date();
  const newEvent = (deliveries: NewEvent["deliveries"]): NewEvent => ({
    id: newId("event"),
    projectId,
    eventType: "a.b",
    dataJson: "{}",
    payload: "{}",
    idempotencyKey: "sample-key",
    idempotencyExpiresAt: null,
    createdAt: now,
    deliveries,
  });
  const attempt: AttemptRecord = {
    deliveryId,
    webhookId,
    attemptNumber: 2,
    response: { statusCode: 500, responseBody: "no", responseHeaders: { a: "b" }, latencyMs: 4, error: null },
    outcome: { status: "retry", nextAttemptAt: now },
    at: now,
    failingSince: null,
  };
  const walkStart = { at: new Date(0), id: "" };
  const lastHour = { from: new Date(now.getTime() - 3_600_000), bucketMs: 60_000, count: 61 };
  // Every event and delivery id sorts between these.
  const laterDeliveries = { deliveryTo: "dlv_", eventFrom: "evt_", eventTo: "evt_~" };
  return {
    "database identity": [],
    "readiness ping": [],
    "lock project": [projectId],
    "last attempt of each delivery": [[deliveryId]],
    "attempt outcomes per bucket": [lastHour],
    "attempt outcomes of a webhook per bucket": [webhookId, lastHour],
    "outbox backlog": [],
    "capturable sources": [],
    "source health": [],
    "record source status": [sourceId, "error", "refused", null, now],
    "record source backlog": [sourceId, 3, new Date()],
    "rotate webhook secret": [webhookId, "ciphertext", new Date()],
    "deliveries for attempts": [[deliveryId]],
    "pending delivery state": [deliveryId],
    "unenqueued deliveries": [now, 10, { createdAt: new Date(0), id: "" }],
    "pending deliveries after": ["", 10],
    "overdue untried deliveries": [walkStart, now, 10],
    "overdue retrying deliveries": [walkStart, now, 10],
    "insert events": [[newEvent([])]],
    "insert events with deliveries": [[newEvent([{ id: newId("delivery"), webhookId }])], true],
    "project of api key": [keyHash],
    "enabled webhook targets": [projectId],
    "event data sizes": [[eventId]],
    "record attempts": [
      [attempt, { ...attempt, attemptNumber: 3, outcome: { status: "failed" }, announce: true }],
    ],
    "disable webhook": [{ webhookId, reason: "manual", at: now, announce: true, causedBy: deliveryId }],
    "operational events waiting": [10],
    "running recoveries": [10],
    "keep a recovery's webhook": [webhookId],
    "claim a running recovery": ["rcv_x"],
    "claim fifo lease": [webhookId, deliveryId, 1000],
    "release fifo lease": [webhookId, deliveryId],
    "fifo head": [webhookId],
    "fifo lines": [[webhookId]],
    "fifo heads due": [now],
    "count failed events to replay": [webhookId, "dlv_", "dlv_~"],
    "events of a recovery window": [
      {
        projectId,
        webhookId,
        eventTypes: ["*", "a.*", "x.y"],
        withData: true,
        after: "evt_",
        toId: "evt_~",
        deliveriesFrom: "dlv_",
        limit: 10,
      },
    ],
    "operational events relayed": [["delivery.failed:x"]],
    "delete expired events": [newId("event"), now, 100],
    "idempotency key holder": [projectId, "sample-key", now],
    "delete expired idempotency keys": [now, 100],
    "partitions of events": [],
    "set a maintenance transaction's timeout": ["lock_timeout", "1s"],
    "lock partition maintenance": [],
    "lock tables for creating partitions": [],
    "lock referenced tables for creating partitions": [],
    "lock tables for dropping a period": [],
    "rows of due periods in a default partition": ["attempts", "dlv_~"],
    "pending deliveries of a period": ["legacy"],
    "kept later deliveries of a period's events": [laterDeliveries, now],
    "delete later deliveries of a period's events": [laterDeliveries, now],
    "delete idempotency keys of a period's events": ["evt_", "evt_~"],
    "clear replays of a period's deliveries": ["dlv_", "dlv_~"],
  };
}

interface DescribedColumn {
  name: string;
  type: string;
  /** Null when the column is computed, not read from a table column. */
  tableColumnNullable: boolean | null;
}

describe("raw SQL and the schema", () => {
  let database: TestDatabase;
  let db: Database;
  let client: pg.Client;
  let samples: Record<string, unknown[]>;
  let schemaColumns: Set<string>;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = createPrismaClient(database.url);
    client = new pg.Client({ connectionString: database.url, options: "-c TimeZone=UTC" });
    await client.connect();
    const { projectId, webhookId } = await insertProjectWithWebhook(db);
    const eventId = newId("event");
    const deliveryId = newId("delivery");
    const sourceId = newId("source");
    const keyHash = `hash-${eventId}`;
    await db.apiKey.create({ data: { id: newId("apiKey"), projectId, prefix: "hr_", keyHash } });
    await db.event.create({ data: { id: eventId, projectId, eventType: "a.b", data: {}, payload: "{}" } });
    await db.delivery.create({
      data: { id: deliveryId, projectId, eventId, webhookId, eventType: "a.b", enqueuedAt: new Date() },
    });
    await db.attempt.create({
      data: { id: newId("attempt"), deliveryId, attemptNumber: 1, statusCode: 500, latencyMs: 4 },
    });
    await db.source.create({
      data: {
        id: sourceId,
        projectId,
        name: "orders",
        databaseUrlCiphertext: "x",
        database: "shop",
        tables: [],
      },
    });
    samples = sampleArguments({ projectId, webhookId, eventId, deliveryId, sourceId, keyHash });
    const { rows } = await client.query<{ name: string }>(
      "SELECT table_name || '.' || column_name AS name FROM information_schema.columns WHERE table_schema = 'public'",
    );
    schemaColumns = new Set(rows.map((row) => row.name));
  });

  afterAll(async () => {
    await client?.end();
    await db?.$disconnect();
    await database?.drop();
  });

  /** What PostgreSQL says the statement returns, from running it in a transaction that is rolled back. */
  async function describeResult(query: RawQuery, args: unknown[]): Promise<DescribedColumn[]> {
    const sql = query.sql(...args);
    await client.query("BEGIN");
    try {
      const { fields } = await client.query({ text: sql.text, values: sql.values });
      const described: DescribedColumn[] = [];
      for (const field of fields) {
        const type = await client.query<{ typname: string }>("SELECT typname FROM pg_type WHERE oid = $1", [
          field.dataTypeID,
        ]);
        const attribute =
          field.tableID === 0
            ? undefined
            : await client.query<{ attnotnull: boolean }>(
                "SELECT attnotnull FROM pg_attribute WHERE attrelid = $1 AND attnum = $2",
                [field.tableID, field.columnID],
              );
        const notNull = attribute?.rows[0]?.attnotnull;
        described.push({
          name: field.name,
          type: type.rows[0]?.typname ?? `oid ${field.dataTypeID}`,
          tableColumnNullable: notNull === undefined ? null : !notNull,
        });
      }
      return described;
    } finally {
      await client.query("ROLLBACK");
    }
  }

  it("has sample arguments for every declared statement, and every statement is declared once", () => {
    const names = declaredRawQueries().map((query) => query.name);
    expect(names.length).toBeGreaterThanOrEqual(34);
    expect([...names].sort()).toEqual(Object.keys(samples).sort());
  });

  describe.each(declaredRawQueries().map((query) => [query.name, query] as const))("%s", (_name, query) => {
    it("names only columns the schema has", () => {
      const named = Object.entries(query.columns).flatMap(([table, columns]) =>
        columns.map((column) => `${table}.${column}`),
      );
      expect(named.filter((column) => !schemaColumns.has(column))).toEqual([]);
    });

    it("returns exactly the declared columns, with their types and nullability", async () => {
      const described = await describeResult(query, samples[query.name] ?? []);
      const declared = Object.entries(query.row).map(([name, type]) => {
        const [base, nullable] = type.split(" | ");
        return { name, type: base, nullable: nullable === "null" };
      });
      expect(described.map(({ name, type }) => ({ name, type }))).toEqual(
        declared.map(({ name, type }) => ({ name, type })),
      );
      // Only a column read straight from a table tells its nullability; it must then be declared `| null`.
      const undeclaredNulls = described
        .filter((column, index) => column.tableColumnNullable === true && !declared[index]?.nullable)
        .map((column) => column.name);
      expect(undeclaredNulls).toEqual([]);
    });
  });
});
