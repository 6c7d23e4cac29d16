import { Prisma } from "./generated/prisma/client.js";
import { type RawClient, rawQuery } from "./raw-rows.js";

const ping = rawQuery({
  name: "readiness ping",
  columns: {},
  row: { ok: "int4" },
  sql: () => Prisma.sql`SELECT 1 AS ok`,
});

/** Resolves once PostgreSQL answers a query (readiness checks); rejects when it does not. */
export async function pingDatabase(db: RawClient): Promise<void> {
  await ping.rows(db);
}
