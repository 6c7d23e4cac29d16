import { type Database, Prisma } from "@hookrelay/db";
import { type CreateEventInput, enqueueDeliveries, matchesEventType, newId } from "@hookrelay/shared";
import type { ApiContext } from "../context.js";

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

// Redis being down must not hold the answer: past this the deliveries stay in the outbox (enqueued_at null)
// and a dispatcher's sweep enqueues them.
const ENQUEUE_TIMEOUT_MS = 1_000;

/** Enqueues committed deliveries and marks them enqueued; on failure leaves them to the outbox sweep. */
export async function enqueueOrLeaveInOutbox(
  ctx: ApiContext,
  deliveryIds: string[],
  delayMs = 0,
): Promise<boolean> {
  if (deliveryIds.length === 0) return true;
  try {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      enqueueDeliveries(ctx.deliveryQueue, deliveryIds, delayMs),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error("enqueue timed out")), ENQUEUE_TIMEOUT_MS);
      }),
    ]).finally(() => clearTimeout(timer));
    await ctx.db.delivery.updateMany({
      where: { id: { in: deliveryIds } },
      data: { enqueuedAt: new Date() },
    });
    return true;
  } catch (error) {
    ctx.logger.warn(
      { err: (error as Error).message, deliveries: deliveryIds.length },
      "enqueue failed; the outbox sweep will enqueue these deliveries",
    );
    return false;
  }
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

  const webhooks = await ctx.db.webhook.findMany({
    where: { projectId, enabled: true },
    select: { id: true, eventTypes: true },
  });
  const targets = webhooks.filter((webhook) => matchesEventType(webhook.eventTypes, input.event_type));

  const createdAt = new Date();
  const eventId = newId("event", createdAt.getTime());
  const deliveries = targets.map((webhook) => ({
    id: newId("delivery", createdAt.getTime()),
    projectId,
    eventId,
    webhookId: webhook.id,
    eventType: input.event_type,
    createdAt,
  }));

  try {
    await ctx.db.$transaction([
      ctx.db.event.create({
        data: {
          id: eventId,
          projectId,
          eventType: input.event_type,
          data: input.data as Prisma.InputJsonObject,
          payload: serializeEnvelope(eventId, input.event_type, createdAt, projectId, input.data),
          idempotencyKey,
          createdAt,
        },
      }),
      ctx.db.delivery.createMany({ data: deliveries }),
    ]);
  } catch (error) {
    // A concurrent request with the same idempotency key won the race: answer with its result.
    if (idempotencyKey && error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
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
