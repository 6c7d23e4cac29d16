import type { Database } from "@hookrelay/db";
import { type CreateEventInput, matchesEventType, newId } from "@hookrelay/shared";
import type { ApiContext } from "../context.js";
import { ApiError, postgresErrorCode } from "../errors.js";
import { EventWriter, type NewEvent } from "./event-writer.js";
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

// One writer per api (context): the batching only works when all requests share it.
const writers = new WeakMap<ApiContext, EventWriter>();
function eventWriter(ctx: ApiContext): EventWriter {
  let writer = writers.get(ctx);
  if (!writer) {
    writer = new EventWriter(ctx.db, (deliveryIds) => enqueueOrLeaveInOutbox(ctx, deliveryIds));
    writers.set(ctx, writer);
  }
  return writer;
}

// 22P05: jsonb cannot hold the NUL character (\u0000), which JSON allows.
const UNSTORABLE_CHARACTER = "22P05";

async function storeEvent(ctx: ApiContext, event: NewEvent): Promise<boolean> {
  try {
    return await eventWriter(ctx).write(event);
  } catch (error) {
    if (postgresErrorCode(error) !== UNSTORABLE_CHARACTER) throw error;
    throw new ApiError(422, "validation_error", "data contains a character that cannot be stored (\\u0000)", [
      { path: "data", message: "the NUL character (\\u0000) is not allowed" },
    ]);
  }
}

/**
 * Stores the event and one delivery per matching enabled webhook in one statement, then enqueues the
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

  const webhooks = await ctx.lookups.enabledWebhooks(projectId);
  const targets = webhooks.filter((webhook) => matchesEventType(webhook.event_types, input.event_type));

  const createdAt = new Date();
  const eventId = newId("event", createdAt.getTime());
  const deliveries = targets.map((webhook) => ({
    id: newId("delivery", createdAt.getTime()),
    webhookId: webhook.id,
  }));

  const dataJson = JSON.stringify(input.data);
  const payload = serializeEnvelope(eventId, input.event_type, createdAt, projectId, input.data);
  // Stored together with other requests' events (group commit), then enqueued; see EventWriter.
  const inserted = await storeEvent(ctx, {
    id: eventId,
    projectId,
    eventType: input.event_type,
    dataJson,
    payload,
    idempotencyKey,
    createdAt,
    deliveries,
  });
  if (!inserted) {
    // A concurrent request with the same idempotency key won the race: answer with its result.
    const earlier = idempotencyKey ? await earlierResult(ctx.db, projectId, idempotencyKey) : null;
    if (!earlier) throw new Error("event was not stored and no earlier event holds its idempotency key");
    return earlier;
  }
  ctx.metrics.eventsIngested.inc();

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
