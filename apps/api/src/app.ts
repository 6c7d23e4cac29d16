import { randomUUID } from "node:crypto";
import express, { type Express } from "express";
import { pinoHttp } from "pino-http";
import { requireProjectKey } from "./auth.js";
import type { ApiContext } from "./context.js";
import { ApiError, errorHandler } from "./errors.js";
import { deliveryRoutes } from "./routes/deliveries.js";
import { eventRoutes } from "./routes/events.js";
import { healthRoutes } from "./routes/health.js";
import { projectRoutes } from "./routes/projects.js";
import { webhookRoutes } from "./routes/webhooks.js";

const QUIET_PATHS = new Set(["/healthz", "/readyz"]);

/** Builds the Express app; main.ts listens. Tests build it with their own context. */
export function createApp(ctx: ApiContext): Express {
  const app = express();
  app.disable("x-powered-by");

  app.use(
    pinoHttp({
      logger: ctx.logger,
      genReqId: (req, res) => {
        const offered = req.headers["x-request-id"];
        const id = typeof offered === "string" && /^[\w.-]{1,128}$/.test(offered) ? offered : randomUUID();
        res.setHeader("X-Request-Id", id);
        return id;
      },
      autoLogging: { ignore: (req) => QUIET_PATHS.has(req.url ?? "") },
    }),
  );
  app.use(healthRoutes(ctx));

  const v1 = express.Router();
  v1.use(express.json({ limit: ctx.config.maxPayloadBytes }));
  v1.use("/projects", projectRoutes(ctx));
  v1.use("/project/:projectId", requireProjectKey(ctx));
  v1.use("/project/:projectId/webhooks/:webhookId/deliveries", deliveryRoutes(ctx));
  v1.use("/project/:projectId/webhooks", webhookRoutes(ctx));
  v1.use("/project/:projectId/events", eventRoutes(ctx));
  app.use("/v1", v1);

  app.use((req, _res, next) =>
    next(new ApiError(404, "not_found", `no route for ${req.method} ${req.path}`)),
  );
  app.use(errorHandler);
  return app;
}
