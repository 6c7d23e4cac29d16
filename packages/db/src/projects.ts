import { Prisma } from "./generated/prisma/client.js";
import { type RawClient, rawQuery } from "./raw-rows.js";

const lockProjectRow = rawQuery({
  name: "lock project",
  columns: { projects: ["id"] },
  row: { id: "text" },
  sql: (projectId: string) => Prisma.sql`SELECT id FROM projects WHERE id = ${projectId} FOR UPDATE`,
});

/**
 * Locks the project's row until `tx` ends, so checks of a per-project limit made under it (count, then
 * insert) cannot pass concurrently.
 */
export async function lockProject(tx: RawClient, projectId: string): Promise<void> {
  await lockProjectRow.rows(tx, projectId);
}
