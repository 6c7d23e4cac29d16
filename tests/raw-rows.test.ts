import {
  createPrismaClient,
  type Database,
  declaredRawQueries,
  deleteExpired,
  enabledWebhookTargets,
  eventDataSizes,
  OVERDUE_CURSOR_START,
  overdueDeliveries,
  pendingDeliveriesAfter,
  projectIdForKeyHash,
  type RawQuery,
  unenqueuedDeliveries,
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
  const { projectId, webhookId, deliveryId, sourceId } = seeded;
  return {
    "database identity": [],
    "readiness ping": [],
    "lock project": [projectId],
    "last attempt of each delivery": [[deliveryId]],
    "outbox backlog": [],
    "capturable sources": [],
    "source health": [],
    "record source status": [sourceId, "error", "refused", new Date()],
    "record source backlog": [sourceId, 3, new Date()],
    "rotate webhook secret": [webhookId, "ciphertext", new Date()],
    "lock webhook recovery": [webhookId],
    "deliveries for attempts": [[deliveryId]],
    "pending delivery state": [deliveryId],
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
  let seeded: Seeded;
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
    seeded = { projectId, webhookId, eventId, deliveryId, sourceId, keyHash };
    samples = sampleArguments(seeded);
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
    expect(names.length).toBeGreaterThanOrEqual(13);
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

  // Not declared with `rawQuery` (yet): their exported functions run against the schema instead.
  it("runs the raw statements of the events, outbox and retention modules", async () => {
    const { projectId, webhookId, eventId, deliveryId, keyHash } = seeded;
    await expect(projectIdForKeyHash(db, keyHash)).resolves.toBe(projectId);
    await expect(enabledWebhookTargets(db, projectId)).resolves.toEqual([
      expect.objectContaining({ id: webhookId, event_types: ["*"] }),
    ]);
    expect(await eventDataSizes(db, [eventId])).toEqual(new Map([[eventId, 2]]));
    await expect(unenqueuedDeliveries(db, new Date(), 10)).resolves.toEqual([]);
    await expect(pendingDeliveriesAfter(db, "", 10)).resolves.toEqual([
      expect.objectContaining({ id: deliveryId, nextAttemptAt: null }),
    ]);
    const overdue = await overdueDeliveries(db, OVERDUE_CURSOR_START, new Date(Date.now() + 60_000), 10);
    expect(overdue.deliveries).toEqual([expect.objectContaining({ id: deliveryId })]);
    await expect(deleteExpired(db, new Date(0))).resolves.toEqual({ events: 0, deliveries: 0, attempts: 0 });
  });
});
