import { Prisma } from "./generated/prisma/client.js";
import { type RawClient, rawQuery } from "./raw-rows.js";

/** A delivery's last attempt, which decides its badge. */
export interface LastAttempt {
  statusCode: number | null;
  error: string | null;
}

const lastAttemptRows = rawQuery({
  name: "last attempt of each delivery",
  columns: { attempts: ["delivery_id", "status_code", "error", "attempt_number"] },
  row: { delivery_id: "text", status_code: "int4 | null", error: "text | null" },
  sql: (deliveryIds: string[]) => Prisma.sql`
    SELECT DISTINCT ON (delivery_id) delivery_id, status_code, error
    FROM attempts WHERE delivery_id = ANY(${deliveryIds}::text[])
    ORDER BY delivery_id, attempt_number DESC`,
});

/** The last attempt of each delivery that has one, in one query (the (delivery_id, attempt_number) key serves it). */
export async function lastAttempts(db: RawClient, deliveryIds: string[]): Promise<Map<string, LastAttempt>> {
  if (deliveryIds.length === 0) return new Map();
  const rows = await lastAttemptRows.rows(db, deliveryIds);
  return new Map(rows.map((row) => [row.delivery_id, { statusCode: row.status_code, error: row.error }]));
}
