import { OPERATIONAL_PREFIX } from "@hookrelay/shared";
import { Prisma } from "./generated/prisma/client.js";
import { type RawClient, type RowOf, rawQuery } from "./raw-rows.js";

// The operational events outbox (see the OperationalEvent model): written beside the changes they
// announce (attempts.ts, sources.ts), read and deleted here by the dispatchers' relay.

/** SQL for "`column` holds an operational event type" (shared/event-types.ts isOperationalEventType). */
export function isOperationalType(column: string): Prisma.Sql {
  return Prisma.sql`${Prisma.raw(column)} LIKE ${`${OPERATIONAL_PREFIX}%`}`;
}

const waiting = rawQuery({
  name: "operational events waiting",
  columns: {
    operational_events: ["id", "project_id", "event_type", "data", "about_webhook_id", "created_at"],
  },
  row: {
    id: "text",
    projectId: "text",
    eventType: "text",
    dataJson: "text",
    aboutWebhookId: "text | null",
  },
  sql: (limit: number) => Prisma.sql`
    SELECT id, project_id AS "projectId", event_type AS "eventType", data::text AS "dataJson",
           about_webhook_id AS "aboutWebhookId"
    FROM operational_events ORDER BY created_at, id LIMIT ${limit}`,
});

export type WaitingOperationalEvent = RowOf<typeof waiting.row>;

/** The oldest operational events not relayed yet. */
export function waitingOperationalEvents(db: RawClient, limit: number): Promise<WaitingOperationalEvent[]> {
  return waiting.rows(db, limit);
}

const relayed = rawQuery({
  name: "operational events relayed",
  columns: { operational_events: ["id"] },
  row: {},
  sql: (ids: string[]) => Prisma.sql`DELETE FROM operational_events WHERE id = ANY(${ids}::text[])`,
});

/** Forgets operational events once they are stored as events. */
export function forgetOperationalEvents(db: RawClient, ids: string[]): Promise<number> {
  return relayed.execute(db, ids);
}
