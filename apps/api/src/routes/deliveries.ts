import { listQuerySchema } from "@hookrelay/shared";
import { getDelivery, listAttempts, listDeliveries } from "../services/deliveries.js";
import { route } from "./route.js";

const base = "/project/:projectId/webhooks/:webhookId/deliveries";

export const deliveryRoutes = [
  route({
    method: "get",
    path: base,
    auth: "project",
    summary: "A webhook's delivery log, newest first",
    status: 200,
    query: listQuerySchema,
    handle: (ctx, { params, query }) =>
      listDeliveries(ctx, params.projectId ?? "", params.webhookId ?? "", query),
  }),
  route({
    method: "get",
    path: `${base}/:deliveryId`,
    auth: "project",
    summary: "Get a delivery",
    status: 200,
    handle: (ctx, { params }) =>
      getDelivery(ctx, params.projectId ?? "", params.webhookId ?? "", params.deliveryId ?? ""),
  }),
  route({
    method: "get",
    path: `${base}/:deliveryId/attempts`,
    auth: "project",
    summary: "A delivery's attempts, oldest first",
    status: 200,
    query: listQuerySchema,
    handle: (ctx, { params, query }) =>
      listAttempts(ctx, params.projectId ?? "", params.webhookId ?? "", params.deliveryId ?? "", query),
  }),
];
