import { Prisma } from "./generated/prisma/client.js";
import { type RawClient, type RowOf, rawQuery } from "./raw-rows.js";

// The statements of `POST …/recover` (see the Recovery model): counting what a window holds, and the
// bounded batches dispatchers advance it by.

const claim = rawQuery({
  name: "claim a running recovery",
  columns: {
    recoveries: [
      "id",
      "project_id",
      "webhook_id",
      "since",
      "until",
      "include_missed",
      "phase",
      "cursor",
      "state",
    ],
  },
  row: {
    id: "text",
    projectId: "text",
    webhookId: "text",
    since: "timestamptz",
    until: "timestamptz",
    includeMissed: "bool",
    phase: "text",
    cursor: "text",
  },
  sql: () => Prisma.sql`
    SELECT id, project_id AS "projectId", webhook_id AS "webhookId", since, until,
           include_missed AS "includeMissed", phase, cursor
    FROM recoveries WHERE state = 'running' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED`,
});

export type RunningRecovery = RowOf<typeof claim.row>;

/** The oldest running recovery no other transaction holds, locked until `tx` ends; or none. */
export async function claimRunningRecovery(tx: RawClient): Promise<RunningRecovery | undefined> {
  return (await claim.rows(tx))[0];
}

const failedCount = rawQuery({
  name: "count failed events to replay",
  columns: { deliveries: ["webhook_id", "event_id", "status", "created_at"] },
  row: { count: "int4" },
  sql: (webhookId: string, since: Date, until: Date) => Prisma.sql`
    SELECT count(DISTINCT d.event_id)::int AS count
    FROM deliveries d
    WHERE d.webhook_id = ${webhookId} AND d.status = 'failed' AND d.created_at BETWEEN ${since} AND ${until}
      AND NOT EXISTS (SELECT 1 FROM deliveries s WHERE s.event_id = d.event_id AND s.webhook_id = ${webhookId}
                                                AND s.status IN ('pending', 'succeeded'))`,
});

/** How many events of the window have a failed delivery to the webhook and none pending or succeeded. */
export async function countFailedEventsToReplay(
  db: RawClient,
  { webhookId, since, until }: { webhookId: string; since: Date; until: Date },
): Promise<number> {
  return (await failedCount.rows(db, webhookId, since, until))[0]?.count ?? 0;
}

const missed = rawQuery({
  name: "events without a delivery to a webhook",
  columns: {
    events: ["id", "project_id", "event_type", "data", "created_at"],
    deliveries: ["event_id", "webhook_id"],
  },
  row: { id: "text", eventType: "text", dataJson: "text", createdAt: "timestamptz" },
  sql: (window: MissedWindow) => Prisma.sql`
    SELECT e.id, e.event_type AS "eventType", e.data::text AS "dataJson", e.created_at AS "createdAt"
    FROM events e
    WHERE e.project_id = ${window.projectId} AND e.id > ${window.after} AND e.id <= ${window.toId}
      AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id AND d.webhook_id = ${window.webhookId})
    ORDER BY e.id LIMIT ${window.limit}`,
});

export interface MissedWindow {
  projectId: string;
  webhookId: string;
  /** Exclusive lower bound: the window's first possible id, or the cursor. */
  after: string;
  /** Inclusive upper bound: the window's last possible id. */
  toId: string;
  limit: number;
}

export type MissedCandidate = RowOf<typeof missed.row>;

/**
 * The next events of the window (by id) that have no delivery at all to the webhook: candidates the caller
 * checks against the webhook's event types and payload filter.
 */
export function eventsWithoutDelivery(db: RawClient, window: MissedWindow): Promise<MissedCandidate[]> {
  return missed.rows(db, window);
}
