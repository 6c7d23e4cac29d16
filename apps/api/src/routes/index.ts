import express, { type RequestHandler, Router } from "express";
import { requireAdmin, requireProjectKey } from "../auth.js";
import type { ApiContext } from "../context.js";
import { parseOr422 } from "../errors.js";
import { deliveryRoutes } from "./deliveries.js";
import { eventRoutes } from "./events.js";
import { projectRoutes } from "./projects.js";
import { isReply, type Route } from "./route.js";
import { sourceRoutes } from "./sources.js";
import { webhookRoutes } from "./webhooks.js";

/** Every /v1 route, in the order they are matched. */
export const v1Routes: Route[] = [
  ...projectRoutes,
  ...sourceRoutes,
  ...webhookRoutes,
  ...deliveryRoutes,
  ...eventRoutes,
];

/** Builds the /v1 router from the declarations: auth, then schema parsing, then the handler. */
export function v1Router(ctx: ApiContext, routes: Route[] = v1Routes): Router {
  const router = Router();
  router.use(express.json({ limit: ctx.config.maxPayloadBytes }));
  const guards = { admin: requireAdmin(ctx), project: requireProjectKey(ctx) as unknown as RequestHandler };
  for (const one of routes) {
    router[one.method](one.path, guards[one.auth], async (req, res) => {
      const result = await one.handle(ctx, {
        params: req.params as Record<string, string>,
        body: one.body ? parseOr422(one.body, req.body ?? {}) : undefined,
        query: one.query ? parseOr422(one.query, req.query) : undefined,
        header: (name) => req.header(name),
      });
      const { status, body, contentType } = isReply(result) ? result : { status: one.status, body: result };
      if (body === undefined || status === 204) res.status(status ?? one.status).end();
      else if (contentType)
        res
          .status(status ?? one.status)
          .type(contentType)
          .send(String(body));
      else res.status(status ?? one.status).json(body);
    });
  }
  return router;
}
