import { Prisma } from "./generated/prisma/client.js";
import { isOperationalType } from "./operational-events.js";
import { type RawClient, type RowOf, rawQuery } from "./raw-rows.js";

// The statements of `POST …/recover` (see the Recovery model): counting what a window holds, and the
// bounded batches dispatchers advance it by.

const candidates = rawQuery({
  name: "running recoveries",
  columns: { recoveries: ["id", "webhook_id", "state"] },
  row: { id: "text", webhookId: "text" },
  sql: (limit: number) => Prisma.sql`
    SELECT id, webhook_id AS "webhookId" FROM recoveries WHERE state = 'running' ORDER BY id LIMIT ${limit}`,
});

/** Whether any recovery is running (one indexed probe). */
export async function anyRunningRecovery(db: RawClient): Promise<boolean> {
  return (await candidates.rows(db, 1)).length > 0;
}

const webhookKept = rawQuery({
  name: "keep a recovery's webhook",
  columns: { webhooks: ["id"] },
  row: { id: "text" },
  sql: (webhookId: string) => Prisma.sql`SELECT id FROM webhooks WHERE id = ${webhookId} FOR KEY SHARE`,
});

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
    locked: "bool",
  },
  sql: (recoveryId: string) => Prisma.sql`
    SELECT id, project_id AS "projectId", webhook_id AS "webhookId", since, until,
           include_missed AS "includeMissed", phase, cursor,
           pg_try_advisory_xact_lock(hashtext('hookrelay recover ' || webhook_id)) AS locked
    FROM recoveries WHERE id = ${recoveryId} AND state = 'running' FOR UPDATE SKIP LOCKED`,
});

export type RunningRecovery = Omit<RowOf<typeof claim.row>, "locked">;

/**
 * The oldest running recovery that no other transaction works on, locked until `tx` ends, with its
 * webhook's recovery lock (so no two batches of one webhook's recoveries run at once) — or none. The
 * webhook row is held (KEY SHARE) before the recovery's: a webhook DELETE, which cascades to its
 * recoveries, then waits for this transaction instead of deadlocking with it; a recovery whose webhook
 * lock is taken is passed over, not waited for.
 */
export async function claimRunningRecovery(tx: RawClient): Promise<RunningRecovery | undefined> {
  for (const candidate of await candidates.rows(tx, 10)) {
    if ((await webhookKept.rows(tx, candidate.webhookId)).length === 0) continue;
    const [claimed] = await claim.rows(tx, candidate.id);
    if (!claimed?.locked) continue;
    const { locked: _, ...recovery } = claimed;
    return recovery;
  }
  return undefined;
}

const failedCount = rawQuery({
  name: "count failed events to replay",
  columns: { deliveries: ["id", "webhook_id", "event_id", "event_type", "status"] },
  row: { count: "int4" },
  sql: (webhookId: string, fromId: string, toId: string) => Prisma.sql`
    SELECT count(DISTINCT d.event_id)::int AS count
    FROM deliveries d
    WHERE d.webhook_id = ${webhookId} AND d.status = 'failed' AND d.id BETWEEN ${fromId} AND ${toId}
      AND d.event_type <> 'webhook.test'
      AND NOT EXISTS (SELECT 1 FROM deliveries s WHERE s.event_id = d.event_id AND s.webhook_id = ${webhookId}
                                                AND s.status IN ('pending', 'succeeded') AND s.id >= ${fromId})`,
});

/**
 * How many events have a failed delivery to the webhook created in the id range (delivery ids carry their
 * creation time) and none pending or succeeded.
 */
export async function countFailedEventsToReplay(
  db: RawClient,
  { webhookId, fromId, toId }: { webhookId: string; fromId: string; toId: string },
): Promise<number> {
  return (await failedCount.rows(db, webhookId, fromId, toId))[0]?.count ?? 0;
}

/**
 * The SQL form of matchesEventType (shared/event-types.ts) over `e.event_type`: exact types, prefix
 * wildcards, and `*` for every type but the operational ones. Event types hold no LIKE wildcards but `_`.
 */
function eventTypeCondition(filters: readonly string[]): Prisma.Sql {
  const like = (text: string) => `${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
  const exact = filters.filter((filter) => filter !== "*" && !filter.endsWith(".*"));
  const parts = [
    ...(exact.length > 0 ? [Prisma.sql`e.event_type = ANY(${exact}::text[])`] : []),
    ...(filters.includes("*") ? [Prisma.sql`NOT ${isOperationalType("e.event_type")}`] : []),
    ...filters
      .filter((filter) => filter.endsWith(".*"))
      .map((filter) => Prisma.sql`e.event_type LIKE ${like(filter.slice(0, -1))}`),
  ];
  return parts.length > 0 ? Prisma.sql`(${Prisma.join(parts, " OR ")})` : Prisma.sql`false`;
}

const scan = rawQuery({
  name: "events of a recovery window",
  columns: {
    events: ["id", "project_id", "event_type", "data", "created_at"],
    deliveries: ["id", "event_id", "webhook_id"],
  },
  row: {
    id: "text",
    eventType: "text",
    createdAt: "timestamptz",
    dataJson: "text | null",
    delivered: "bool",
  },
  sql: (window: RecoveryScan) => Prisma.sql`
    SELECT e.id, e.event_type AS "eventType", e.created_at AS "createdAt",
           CASE WHEN ${window.withData} OR ${isOperationalType("e.event_type")} THEN e.data::text END AS "dataJson",
           EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id AND d.webhook_id = ${window.webhookId}
                                              AND d.id >= ${window.deliveriesFrom}) AS delivered
    FROM events e
    WHERE e.project_id = ${window.projectId} AND e.id > ${window.after} AND e.id <= ${window.toId}
      AND ${eventTypeCondition(window.eventTypes)}
    ORDER BY e.id LIMIT ${window.limit}`,
});

export interface RecoveryScan {
  projectId: string;
  webhookId: string;
  /** The webhook's event types: only events of those types are read. */
  eventTypes: readonly string[];
  /** Read `data` (for a payload filter); operational events' data is always read. */
  withData: boolean;
  /** Exclusive lower bound: the window's first possible event id, or the cursor. */
  after: string;
  /** Inclusive upper bound: the window's last possible event id. */
  toId: string;
  /** No delivery of the window's events is older than this id (they are made after their events). */
  deliveriesFrom: string;
  limit: number;
}

export type ScannedEvent = RowOf<typeof scan.row>;

/**
 * The next `limit` events of the window of the webhook's types, by id, each saying whether it already has
 * a delivery to the webhook: a batch is bounded by what it reads, however few of them it delivers.
 */
export function recoveryWindowEvents(db: RawClient, window: RecoveryScan): Promise<ScannedEvent[]> {
  return scan.rows(db, window);
}
