import express, { type Express } from "express";
import { BULL_BOARD_PATH, bullBoardRouter } from "./admin/bull-board.js";
import { AdmissionBudget, admission } from "./admission.js";
import type { ApiContext } from "./context.js";
import { DASHBOARD_PATH } from "./dashboard/links.js";
import { dashboardRouter } from "./dashboard/router.js";
import { ApiError, errorHandler } from "./errors.js";
import { metricsHandler } from "./metrics.js";
import { openApiDocument } from "./openapi.js";
import { requestLogging } from "./request-logging.js";
import { healthRoutes } from "./routes/health.js";
import { v1Router, v1Routes } from "./routes/index.js";

/** Builds the Express app; main.ts listens. Tests build it with their own context. */
export function createApp(ctx: ApiContext): Express {
  const app = express();
  app.disable("x-powered-by");

  app.use(requestLogging(ctx.logger));
  app.use(healthRoutes(ctx));
  app.get("/metrics", metricsHandler(ctx.metrics.registry));
  // After the probes (an api at its budget is busy, not unhealthy), before anything that reads a body.
  app.use(admission(new AdmissionBudget(ctx.config.maxInflightBytes), ctx.config.maxPayloadBytes));

  const document = openApiDocument(v1Routes);
  app.get("/openapi.json", (_req, res) => {
    res.json(document);
  });
  app.use("/v1", v1Router(ctx));
  app.use(DASHBOARD_PATH, dashboardRouter(ctx));
  app.use(BULL_BOARD_PATH, bullBoardRouter(ctx));

  app.use((req, _res, next) =>
    next(new ApiError(404, "not_found", `no route for ${req.method} ${req.path}`)),
  );
  app.use(errorHandler);
  return app;
}
