import express, { type RequestHandler, Router } from "express";
import { z } from "zod";
import { requireAdmin, requireProjectKey } from "../auth.js";
import type { ApiContext } from "../context.js";
import { parseOr422 } from "../errors.js";
import { deliveryRoutes } from "./deliveries.js";
import { eventRoutes } from "./events.js";
import { readJsonBody } from "./json-body.js";
import { malformedPathIds } from "./path-ids.js";
import { projectRoutes } from "./projects.js";
import { refuseRepeatedHeaders, translateRequestErrors } from "./request-errors.js";
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

// A write route without a body schema takes no body: anything but `{}` would be ignored without a word.
const noBody = z.strictObject({});

/**
 * Builds the /v1 router from the declarations: auth, then well-formed path ids, then the body (read as
 * bytes here, judged by json-body.ts) and schema parsing, then the handler.
 */
export function v1Router(ctx: ApiContext, routes: Route[] = v1Routes): Router {
  const maxBytes = ctx.config.maxPayloadBytes;
  const router = Router();
  router.use(refuseRepeatedHeaders);
  router.use(express.raw({ type: () => true, limit: maxBytes }));
  const guards = { admin: requireAdmin(ctx), project: requireProjectKey(ctx) as unknown as RequestHandler };
  const wellFormedIds: RequestHandler = (req, _res, next) =>
    next(malformedPathIds(req.params as Record<string, string>));
  for (const one of routes) {
    router[one.method](one.path, guards[one.auth], wellFormedIds, async (req, res) => {
      const json = one.method === "get" ? undefined : readJsonBody(req, { rawMember: one.rawMember });
      const result = await one.handle(ctx, {
        params: req.params as Record<string, string>,
        // No body at all reads as `{}`; a body of `null` stays null (and is refused).
        body: one.method === "get" ? undefined : parseOr422(one.body ?? noBody, json ? json.value : {}),
        query: one.query ? parseOr422(one.query, req.query) : undefined,
        header: (name) => req.header(name),
        rawJson: one.rawMember === undefined ? undefined : json?.members.get(one.rawMember),
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
  router.use(translateRequestErrors(maxBytes));
  return router;
}
