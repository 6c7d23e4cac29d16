import {
  acceptedEventSchema,
  createEventSchema,
  eventListQuerySchema,
  eventPageSchema,
  eventWithDeliveriesSchema,
  idempotencyKeyHeaderSchema,
} from "@hookrelay/shared";
import { parseOr422 } from "../errors.js";
import { getEvent, listEvents } from "../services/events.js";
import { ingestEvent } from "../services/ingest.js";
import { reply, route } from "./route.js";

export const eventRoutes = [
  route({
    method: "post",
    path: "/project/:projectId/events",
    auth: "project",
    summary:
      "Send an event: stored, fanned out to matching webhooks and delivered (200 for an idempotent repeat)",
    status: 202,
    response: acceptedEventSchema,
    alsoSucceeds: { 200: "a repeat of an earlier event_id or Idempotency-Key: the first answer again" },
    headers: {
      "Idempotency-Key": {
        schema: idempotencyKeyHeaderSchema,
        description: "repeats within 24 h answer the first event again (printable ASCII; or send event_id)",
      },
    },
    body: createEventSchema,
    // `data` reaches receivers as the text that was sent, digits and all (see json-body.ts).
    rawMember: "data",
    handle: async (ctx, { params, body, header, rawJson }) => {
      const offered = header("idempotency-key");
      const idempotencyKey =
        offered === undefined ? undefined : parseOr422(idempotencyKeyHeaderSchema, offered);
      const dataJson = rawJson ?? JSON.stringify(body.data);
      const result = await ingestEvent(ctx, params.projectId ?? "", body, dataJson, idempotencyKey);
      return reply(result.created ? 202 : 200, result.body);
    },
  }),

  route({
    method: "get",
    path: "/project/:projectId/events",
    auth: "project",
    summary: "List events, newest first (filters: event_type, since, until)",
    status: 200,
    response: eventPageSchema,
    query: eventListQuerySchema,
    handle: (ctx, { params, query }) => listEvents(ctx, params.projectId ?? "", query),
  }),
  route({
    method: "get",
    path: "/project/:projectId/events/:eventId",
    auth: "project",
    summary: "Get an event with its deliveries' ids and statuses",
    status: 200,
    response: eventWithDeliveriesSchema,
    handle: (ctx, { params }) => getEvent(ctx, params.projectId ?? "", params.eventId ?? ""),
  }),
];
