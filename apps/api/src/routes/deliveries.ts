import {
  attemptPageSchema,
  deliveryListQuerySchema,
  deliveryPageSchema,
  deliveryWithPayloadSchema,
  listQuerySchema,
  recoverResultSchema,
  recoverSchema,
  recoveryPageSchema,
  recoverySchema,
  replayResultSchema,
} from "@hookrelay/shared";
import { getDelivery, listAttempts, listDeliveries } from "../services/deliveries.js";
import { getRecovery, listRecoveries, recoverWebhook, replayDelivery } from "../services/replays.js";
import { route } from "./route.js";

const base = "/project/:projectId/webhooks/:webhookId/deliveries";

export const deliveryRoutes = [
  route({
    method: "get",
    path: base,
    auth: "project",
    summary: "A webhook's delivery log, newest first (filters: status, event_type, since, until)",
    status: 200,
    response: deliveryPageSchema,
    query: deliveryListQuerySchema,
    handle: (ctx, { params, query }) =>
      listDeliveries(ctx, params.projectId ?? "", params.webhookId ?? "", query),
  }),
  route({
    method: "get",
    path: `${base}/:deliveryId`,
    auth: "project",
    summary: "Get a delivery with its payload",
    status: 200,
    response: deliveryWithPayloadSchema,
    handle: (ctx, { params }) =>
      getDelivery(ctx, params.projectId ?? "", params.webhookId ?? "", params.deliveryId ?? ""),
  }),
  route({
    method: "get",
    path: `${base}/:deliveryId/attempts`,
    auth: "project",
    summary: "A delivery's attempts, oldest first",
    status: 200,
    response: attemptPageSchema,
    query: listQuerySchema,
    handle: (ctx, { params, query }) =>
      listAttempts(ctx, params.projectId ?? "", params.webhookId ?? "", params.deliveryId ?? "", query),
  }),

  route({
    method: "post",
    path: `${base}/:deliveryId/replay`,
    auth: "project",
    summary: "Send a delivery again as a new delivery (same bytes, same webhook-id, replay_of set)",
    status: 202,
    response: replayResultSchema,
    errors: { 409: "conflict: the webhook is disabled" },
    handle: (ctx, { params }) =>
      replayDelivery(ctx, params.projectId ?? "", params.webhookId ?? "", params.deliveryId ?? ""),
  }),
  route({
    method: "post",
    path: "/project/:projectId/webhooks/:webhookId/recover",
    auth: "project",
    summary:
      "Recover a time window in the background: replay its failed deliveries (one per event) and, with include_missed, deliver the events the webhook missed; answers how many and the recovery",
    status: 202,
    response: recoverResultSchema,
    errors: { 409: "conflict: the webhook is disabled" },
    body: recoverSchema,
    handle: (ctx, { params, body }) =>
      recoverWebhook(ctx, params.projectId ?? "", params.webhookId ?? "", body),
  }),
  route({
    method: "get",
    path: "/project/:projectId/webhooks/:webhookId/recoveries",
    auth: "project",
    summary: "A webhook's recoveries, newest first, with their progress (state, done, total)",
    status: 200,
    response: recoveryPageSchema,
    query: listQuerySchema,
    handle: (ctx, { params, query }) =>
      listRecoveries(ctx, params.projectId ?? "", params.webhookId ?? "", query),
  }),
  route({
    method: "get",
    path: "/project/:projectId/webhooks/:webhookId/recoveries/:recoveryId",
    auth: "project",
    summary: "One recovery's progress",
    status: 200,
    response: recoverySchema,
    handle: (ctx, { params }) =>
      getRecovery(ctx, params.projectId ?? "", params.webhookId ?? "", params.recoveryId ?? ""),
  }),
];
