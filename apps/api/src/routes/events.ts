import { createEventSchema, idempotencyKeySchema } from "@hookrelay/shared";
import { parseOr422 } from "../errors.js";
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
    body: createEventSchema,
    handle: async (ctx, { params, body, header }) => {
      const offered = header("idempotency-key");
      const idempotencyKey = offered === undefined ? undefined : parseOr422(idempotencyKeySchema, offered);
      const result = await ingestEvent(ctx, params.projectId ?? "", body, idempotencyKey);
      return reply(result.created ? 202 : 200, result.body);
    },
  }),
];
