import { type Database, Prisma } from "@hookrelay/db";
import { type CreateEventInput, matchesEventType, newId } from "@hookrelay/shared";
import type { ApiContext } from "../context.js";
import { enqueueOrLeaveInOutbox } from "./outbox.js";

export interface IngestResult {
  /** false when an idempotency key matched an earlier event: nothing new was created. */
  created: boolean;
  body: { event_id: string; event_type: string; created_at: string; deliveries: number };
}

/** The envelope every delivery of this event sends: serialized once, stored, signed and replayed as is. */
export function serializeEnvelope(
  eventId: string,
  eventType: string,
  createdAt: Date,
  projectId: string,
  data: unknown,
): string {
  return JSON.stringify({
    event_id: eventId,
    event_type: eventType,
    created_at: createdAt.toISOString(),
    project_id: projectId,
    data,
  });
}

/** Repeats of an `event_id` / `Idempotency-Key` within this window return the first answer. */
export const IDEMPOTENCY_WINDOW_MS = 24 * 3600 * 1000;

/**
 * The first answer for this key, if it is younger than the window. An older holder gives the key up (set
 * to null) so the repeat is accepted as a new event.
 */
async function earlierResult(
  db: Database,
  projectId: string,
  idempotencyKey: string,
): Promise<IngestResult | null> {
  const event = await db.event.findUnique({
    where: { projectId_idempotencyKey: { projectId, idempotencyKey } },
    select: {
      id: true,
      eventType: true,
      createdAt: true,
      _count: { select: { deliveries: { where: { replayOfId: null } } } },
    },
  });
  if (!event) return null;
  if (Date.now() - event.createdAt.getTime() > IDEMPOTENCY_WINDOW_MS) {
    await db.event.updateMany({ where: { id: event.id, idempotencyKey }, data: { idempotencyKey: null } });
    return null;
  }
  return {
    created: false,
    body: {
      event_id: event.id,
      event_type: event.eventType,
      created_at: event.createdAt.toISOString(),
      deliveries: event._count.deliveries,
    },
  };
}

interface NewEvent {
  id: string;
  projectId: string;
  eventType: string;
  data: unknown;
  payload: string;
  idempotencyKey: string | null;
  createdAt: Date;
}

function insertEventWithDeliveries(
  event: NewEvent,
  deliveries: Array<{ id: string; webhookId: string }>,
): Prisma.Sql {
  const insertEvent = Prisma.sql`
    INSERT INTO events (id, project_id, event_type, data, payload, idempotency_key, created_at)
    VALUES (${event.id}, ${event.projectId}, ${event.eventType}, ${JSON.stringify(event.data)}::jsonb, ${event.payload},
            ${event.idempotencyKey}, ${event.createdAt}::timestamptz)`;
  if (deliveries.length === 0) return insertEvent;
  const rows = deliveries.map((delivery) => Prisma.sql`(${delivery.id}, ${delivery.webhookId})`);
  // enqueued_at is set optimistically (see outbox.ts); the deliveries reference the event inserted above.
  return Prisma.sql`
    WITH inserted AS (${insertEvent} RETURNING id)
    INSERT INTO deliveries (id, project_id, event_id, webhook_id, event_type, created_at, enqueued_at)
    SELECT v.id, ${event.projectId}, inserted.id, v.webhook_id, ${event.eventType},
           ${event.createdAt}::timestamptz, ${event.createdAt}::timestamptz
    FROM (VALUES ${Prisma.join(rows)}) AS v(id, webhook_id), inserted`;
}

/**
 * Stores the event and one delivery per matching enabled webhook in one transaction, then enqueues the
 * deliveries. The commit comes first: if Redis is down the event is still accepted and the outbox sweep
 * enqueues the deliveries later.
 */
export async function ingestEvent(
  ctx: ApiContext,
  projectId: string,
  input: CreateEventInput,
  idempotencyKeyHeader?: string,
): Promise<IngestResult> {
  const idempotencyKey = idempotencyKeyHeader ?? input.event_id ?? null;
  if (idempotencyKey) {
    const earlier = await earlierResult(ctx.db, projectId, idempotencyKey);
    if (earlier) return earlier;
  }

  const webhooks = await ctx.db.$queryRaw<Array<{ id: string; event_types: string[] }>>`
    SELECT id, event_types FROM webhooks WHERE project_id = ${projectId} AND enabled`;
  const targets = webhooks.filter((webhook) => matchesEventType(webhook.event_types, input.event_type));

  const createdAt = new Date();
  const eventId = newId("event", createdAt.getTime());
  const deliveries = targets.map((webhook) => ({
    id: newId("delivery", createdAt.getTime()),
    webhookId: webhook.id,
  }));

  const payload = serializeEnvelope(eventId, input.event_type, createdAt, projectId, input.data);
  try {
    // One statement (atomic on its own): the event and its deliveries in a single round trip, with no
    // per-query compilation — ingest is the hot path.
    await ctx.db.$executeRaw(
      insertEventWithDeliveries(
        {
          id: eventId,
          projectId,
          eventType: input.event_type,
          data: input.data,
          payload,
          idempotencyKey,
          createdAt,
        },
        deliveries,
      ),
    );
  } catch (error) {
    // A concurrent request with the same idempotency key won the race: answer with its result.
    if (idempotencyKey) {
      const earlier = await earlierResult(ctx.db, projectId, idempotencyKey);
      if (earlier) return earlier;
    }
    throw error;
  }

  await enqueueOrLeaveInOutbox(
    ctx,
    deliveries.map((delivery) => delivery.id),
  );

  return {
    created: true,
    body: {
      event_id: eventId,
      event_type: input.event_type,
      created_at: createdAt.toISOString(),
      deliveries: deliveries.length,
    },
  };
}
