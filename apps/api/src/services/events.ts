import { type Event, eventDataSizes } from "@hookrelay/db";

// The stored envelope (`payload`) is what receivers get; the api answers with `data`, so it never loads
// the envelope too (it doubled a page's memory: 250 large events ran the api out of heap).
import type { EventListQuery, EventView } from "@hookrelay/shared";
import type { ApiContext } from "../context.js";
import { notFound } from "../errors.js";
import { pageByKeyset } from "./pagination.js";

export function presentEvent(event: Omit<Event, "payload">): EventView {
  return {
    id: event.id,
    event_type: event.eventType,
    data: event.data as EventView["data"],
    idempotency_key: event.idempotencyKey,
    created_at: event.createdAt.toISOString(),
  };
}

/**
 * A page of events holds at most this much `data` (as JSON text), however many its `limit` allows: 250
 * events of MAX_PAYLOAD_BYTES each would not fit the api's memory. A shorter page still has a next_cursor.
 */
const EVENT_PAGE_BYTES = 8 * 1024 * 1024;

export function listEvents(ctx: ApiContext, projectId: string, query: EventListQuery) {
  const filters = { projectId, ...(query.event_type && { eventType: query.event_type }) };
  return pageByKeyset(
    query,
    "desc",
    async (args) => {
      const where = { ...args.where, ...filters };
      const ids = (await ctx.db.event.findMany({ ...args, where, select: { id: true } })).map(
        (row) => row.id,
      );
      const sizes = await eventDataSizes(ctx.db, ids);
      let bytes = 0;
      let fits = 0;
      for (const id of ids) {
        bytes += sizes.get(id) ?? 0;
        if (fits > 0 && bytes > EVENT_PAGE_BYTES) break;
        fits += 1;
      }
      const rows = await ctx.db.event.findMany({
        where: { id: { in: ids.slice(0, fits) } },
        orderBy: args.orderBy,
        omit: { payload: true },
      });
      return fits < ids.length && fits <= query.limit ? { rows, more: true } : rows;
    },
    presentEvent,
    { kind: "event", since: query.since, until: query.until },
  );
}

/** An event with its deliveries' ids and statuses (replays included), oldest first. */
export async function getEvent(ctx: ApiContext, projectId: string, eventId: string) {
  const event = await ctx.db.event.findFirst({
    where: { id: eventId, projectId },
    omit: { payload: true },
    include: {
      deliveries: {
        select: { id: true, webhookId: true, status: true, attemptCount: true, replayOfId: true },
        orderBy: { id: "asc" },
      },
    },
  });
  if (!event) throw notFound("event");
  return {
    ...presentEvent(event),
    deliveries: event.deliveries.map((delivery) => ({
      id: delivery.id,
      webhook_id: delivery.webhookId,
      status: delivery.status,
      attempt_count: delivery.attemptCount,
      replay_of: delivery.replayOfId,
    })),
  };
}
