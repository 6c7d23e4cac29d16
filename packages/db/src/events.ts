import type { Database } from "./client.js";
import { releaseDebugHistoriesSoon } from "./debug-history.js";
import { Prisma } from "./generated/prisma/client.js";

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
  createdAt: Date;
  deliveries: Array<{ id: string; webhookId: string }>;
}

/** PostgreSQL allows 65,535 bind parameters in one statement: 7 per event, 3 per delivery. */
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

/**
 * One statement: the events (skipping those whose idempotency key is taken), then the deliveries of the
 * events inserted. By default deliveries are written with `enqueued_at` already set (optimistically, so the
 * api's hot path writes each delivery row once; see the ingest package's outbox hand-off); with
 * `inOutbox` they are written into the outbox (`enqueued_at` null) and marked once enqueued.
 * Returns the inserted event ids.
 */
export async function insertEventsWithDeliveries(
  db: Database,
  events: NewEvent[],
  { inOutbox = false }: { inOutbox?: boolean } = {},
): Promise<Set<string>> {
  const eventRows = events.map(
    (event) => Prisma.sql`(${event.id}, ${event.projectId}, ${event.eventType}, ${event.dataJson}::jsonb,
      ${event.payload}, ${event.idempotencyKey}, ${event.createdAt}::timestamptz)`,
  );
  const deliveryRows = events.flatMap((event) =>
    event.deliveries.map((delivery) => Prisma.sql`(${delivery.id}, ${event.id}, ${delivery.webhookId})`),
  );
  const insertEvents = Prisma.sql`
    INSERT INTO events (id, project_id, event_type, data, payload, idempotency_key, created_at)
    VALUES ${Prisma.join(eventRows)}
    ON CONFLICT (project_id, idempotency_key) DO NOTHING
    RETURNING id, project_id, event_type, created_at`;
  // Prisma keeps this statement's parameters (whole events) in its debug history: dropped soon after.
  const rows = await db
    .$queryRaw<Array<{ id: string }>>(
      deliveryRows.length === 0
        ? insertEvents
        : Prisma.sql`
    WITH inserted AS (${insertEvents}),
    delivered AS (
      INSERT INTO deliveries (id, project_id, event_id, webhook_id, event_type, created_at, enqueued_at)
      SELECT v.id, i.project_id, i.id, v.webhook_id, i.event_type, i.created_at,
             CASE WHEN ${inOutbox} THEN NULL ELSE i.created_at END
      FROM (VALUES ${Prisma.join(deliveryRows)}) AS v(id, event_id, webhook_id)
      JOIN inserted i ON i.id = v.event_id
    )
    SELECT id FROM inserted`,
    )
    .finally(releaseDebugHistoriesSoon);
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

/** The project of a live (not revoked) API key, by the key's hash. */
export async function projectIdForKeyHash(db: Database, keyHash: string): Promise<string | null> {
  const [row] = await db.$queryRaw<Array<{ project_id: string }>>`
    SELECT project_id FROM api_keys WHERE key_hash = ${keyHash} AND revoked_at IS NULL`;
  return row?.project_id ?? null;
}

export interface WebhookTarget {
  id: string;
  event_types: string[];
}

/** The project's enabled webhooks with their event-type filters: what an event fans out to. */
export function enabledWebhookTargets(db: Database, projectId: string): Promise<WebhookTarget[]> {
  return db.$queryRaw<WebhookTarget[]>`
    SELECT id, event_types FROM webhooks WHERE project_id = ${projectId} AND enabled ORDER BY id`;
}

/** The size of each event's `data` as JSON text, by id (to bound a page of events in bytes). */
export async function eventDataSizes(db: Database, eventIds: string[]): Promise<Map<string, number>> {
  if (eventIds.length === 0) return new Map();
  const rows = await db.$queryRaw<Array<{ id: string; bytes: number }>>`
    SELECT id, octet_length(data::text)::int AS bytes FROM events WHERE id = ANY(${eventIds}::text[])`;
  return new Map(rows.map((row) => [row.id, row.bytes]));
}
