import type { Database } from "./client.js";

/** This database, the same from every process and host name: the cluster's system identifier and its name. */
export async function databaseIdentity(db: Database): Promise<string> {
  const [row] = await db.$queryRaw<Array<{ identity: string }>>`
    SELECT (SELECT system_identifier::text FROM pg_control_system()) || '/' || current_database() AS identity`;
  return row?.identity ?? "unknown";
}
