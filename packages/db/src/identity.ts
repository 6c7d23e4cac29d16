import type { Database } from "./client.js";
import { Prisma } from "./generated/prisma/client.js";
import { rawQuery } from "./raw-rows.js";

const identityQuery = rawQuery({
  name: "database identity",
  columns: {},
  row: { identity: "text" },
  sql: () =>
    Prisma.sql`SELECT (SELECT system_identifier::text FROM pg_control_system()) || '/' || current_database() AS identity`,
});

/** This database, the same from every process and host name: the cluster's system identifier and its name. */
export async function databaseIdentity(db: Database): Promise<string> {
  const [row] = await identityQuery.rows(db);
  return row?.identity ?? "unknown";
}
