import type { Database } from "./client.js";
import { releaseDebugHistoriesSoon } from "./debug-history.js";
import { Prisma } from "./generated/prisma/client.js";
import { type RawClient, rawQuery } from "./raw-rows.js";

/** An accepted event and its deliveries, ready to be stored. */
export interface NewEvent {
  id: string;
  projectId: string;
  eventType: string;
  /** The event's `data`, serialized (stored as jsonb for queries). */
  dataJson: string;
  /** The envelope every delivery sends. */
  payload: string;
  idempotencyKey: string | null;
  /** When the key is free again; null or absent: held as long as the event exists. */
  idempotencyExpiresAt?: Date | null;
  createdAt: Date;
  deliveries: Array<{ id: string; webhookId: string }>;
}

/** PostgreSQL allows 65,535 bind parameters in one statement: 8 per event, 3 per delivery. */
const MAX_EVENTS_PER_INSERT = 250;
const MAX_DELIVERIES_PER_INSERT = 5_000;

/** How many events from the start of a list fit in one insert (at least one). */
export function insertChunkLength(length: number, deliveriesAt: (index: number) => number): number {
  let deliveries = 0;
  let count = 0;
  while (count < length && count < MAX_EVENTS_PER_INSERT) {
    deliveries += deliveriesAt(count);
    if (count > 0 && deliveries > MAX_DELIVERIES_PER_INSERT) break;
    count += 1;
  }
  return count;
}

// The foreign key from a claimed key to its event is checked at the end of the statement, once the event is
// in. DISTINCT ON: ON CONFLICT DO UPDATE may not touch one key twice in a statement.
function claimAndInsert(events: readonly NewEvent[]): Prisma.Sql {
  const eventRows = events.map(
    (event) => Prisma.sql`(${event.id}, ${event.projectId}, ${event.eventType}, ${event.dataJson}::jsonb,
      ${event.payload}, ${event.idempotencyKey}, ${event.createdAt}::timestamptz,
      ${event.idempotencyExpiresAt ?? null}::timestamptz)`,
  );
  return Prisma.sql`
    offered (id, project_id, event_type, data, payload, idempotency_key, created_at, key_expires_at) AS (
      VALUES ${Prisma.join(eventRows)}
    ), claimed AS (
      INSERT INTO idempotency_keys AS k (project_id, key, event_id, created_at, expires_at)
      SELECT DISTINCT ON (project_id, idempotency_key) project_id, idempotency_key, id, created_at, key_expires_at
      FROM offered WHERE idempotency_key IS NOT NULL
      ORDER BY project_id, idempotency_key, id
      ON CONFLICT (project_id, key) DO UPDATE
        SET event_id = excluded.event_id, created_at = excluded.created_at, expires_at = excluded.expires_at
        WHERE k.expires_at <= excluded.created_at
      RETURNING event_id
    ), inserted AS (
      INSERT INTO events (id, project_id, event_type, data, payload, idempotency_key, created_at)
      SELECT id, project_id, event_type, data, payload, idempotency_key, created_at FROM offered
      WHERE idempotency_key IS NULL OR id IN (SELECT event_id FROM claimed)
      RETURNING id, project_id, event_type, created_at
    )`;
}

const claimedColumns = {
  idempotency_keys: ["project_id", "key", "event_id", "created_at", "expires_at"],
  events: ["id", "project_id", "event_type", "data", "payload", "idempotency_key", "created_at"],
};

const eventsInsert = rawQuery({
  name: "insert events",
  columns: claimedColumns,
  row: { id: "text" },
  sql: (events: readonly NewEvent[]) => Prisma.sql`WITH ${claimAndInsert(events)} SELECT id FROM inserted`,
});

const eventsWithDeliveriesInsert = rawQuery({
  name: "insert events with deliveries",
  columns: {
    ...claimedColumns,
    deliveries: ["id", "project_id", "event_id", "webhook_id", "event_type", "created_at", "enqueued_at"],
  },
  row: { id: "text" },
  sql: (events: readonly NewEvent[], inOutbox: boolean) => {
    const deliveryRows = events.flatMap((event) =>
      event.deliveries.map((delivery) => Prisma.sql`(${delivery.id}, ${event.id}, ${delivery.webhookId})`),
    );
    return Prisma.sql`
    WITH ${claimAndInsert(events)},
    delivered AS (
      INSERT INTO deliveries (id, project_id, event_id, webhook_id, event_type, created_at, enqueued_at)
      SELECT v.id, i.project_id, i.id, v.webhook_id, i.event_type, i.created_at,
             CASE WHEN ${inOutbox} THEN NULL ELSE i.created_at END
      FROM (VALUES ${Prisma.join(deliveryRows)}) AS v(id, event_id, webhook_id)
      JOIN inserted i ON i.id = v.event_id
    )
    SELECT id FROM inserted`;
  },
});

/**
 * One statement: the idempotency keys claimed (a key is taken while it has not expired; an expired one is
 * taken over), the events whose key was claimed or that have none, then the deliveries of the events
 * inserted. Of two events with one key, in one statement or in concurrent ones, only one is stored.
 * By default deliveries are written with `enqueued_at` already set (optimistically, so the
 * api's hot path writes each delivery row once; see the ingest package's outbox hand-off); with
 * `inOutbox` they are written into the outbox (`enqueued_at` null) and marked once enqueued.
 * Returns the inserted event ids.
 */
export async function insertEventsWithDeliveries(
  db: Database,
  events: NewEvent[],
  { inOutbox = false }: { inOutbox?: boolean } = {},
): Promise<Set<string>> {
  const insert = events.some((event) => event.deliveries.length > 0)
    ? eventsWithDeliveriesInsert.rows(db, events, inOutbox)
    : eventsInsert.rows(db, events);
  // Prisma keeps this statement's parameters (whole events) in its debug history: dropped soon after.
  const rows = await insert.finally(releaseDebugHistoriesSoon);
  return new Set(rows.map((row) => row.id));
}

/** Takes enqueued deliveries out of the outbox. */
export async function markEnqueued(db: Database, deliveryIds: string[]): Promise<void> {
  await db.delivery.updateMany({ where: { id: { in: deliveryIds } }, data: { enqueuedAt: new Date() } });
}

/** Puts deliveries whose enqueue failed back in the outbox (`enqueued_at` null) for the sweep. */
export async function returnToOutbox(db: Database, deliveryIds: string[]): Promise<void> {
  await db.delivery.updateMany({
    where: { id: { in: deliveryIds }, status: "pending" },
    data: { enqueuedAt: null },
  });
}

const keyProject = rawQuery({
  name: "project of api key",
  columns: { api_keys: ["project_id", "key_hash", "revoked_at"] },
  row: { project_id: "text" },
  sql: (keyHash: string) => Prisma.sql`
    SELECT project_id FROM api_keys WHERE key_hash = ${keyHash} AND revoked_at IS NULL`,
});

/** The project of a live (not revoked) API key, by the key's hash. */
export async function projectIdForKeyHash(db: RawClient, keyHash: string): Promise<string | null> {
  const [row] = await keyProject.rows(db, keyHash);
  return row?.project_id ?? null;
}

export interface WebhookTarget {
  id: string;
  event_types: string[];
  /** The payload filter as stored (JSON), or null. */
  filter: unknown;
}

const webhookTargets = rawQuery({
  name: "enabled webhook targets",
  columns: { webhooks: ["id", "event_types", "filter", "project_id", "enabled"] },
  row: { id: "text", event_types: "_text | null", filter: "jsonb | null" },
  sql: (projectId: string) => Prisma.sql`
    SELECT id, event_types, filter FROM webhooks WHERE project_id = ${projectId} AND enabled ORDER BY id`,
});

/** The project's enabled webhooks: what an event is fanned out to. */
export async function enabledWebhookTargets(db: RawClient, projectId: string): Promise<WebhookTarget[]> {
  const rows = await webhookTargets.rows(db, projectId);
  // The column allows NULL (a Prisma list), though hookrelay never writes it: no filters match no event.
  return rows.map(({ id, event_types, filter }) => ({ id, event_types: event_types ?? [], filter }));
}

const dataSizes = rawQuery({
  name: "event data sizes",
  columns: { events: ["id", "data"] },
  row: { id: "text", bytes: "int4" },
  sql: (eventIds: string[]) => Prisma.sql`
    SELECT id, octet_length(data::text)::int AS bytes FROM events WHERE id = ANY(${eventIds}::text[])`,
});

/** The size of each event's `data` as JSON text, by id (to bound a page of events in bytes). */
export async function eventDataSizes(db: RawClient, eventIds: string[]): Promise<Map<string, number>> {
  if (eventIds.length === 0) return new Map();
  const rows = await dataSizes.rows(db, eventIds);
  return new Map(rows.map((row) => [row.id, row.bytes]));
}
