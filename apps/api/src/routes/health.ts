import { pingDatabase } from "@hookrelay/db";
import { checkReadiness } from "@hookrelay/shared";
import { Router } from "express";
import type { ApiContext } from "../context.js";

/** `/healthz`: the process answers. `/readyz`: PostgreSQL and Redis answer too (503 until they do). */
export function healthRoutes(ctx: Pick<ApiContext, "db" | "pingRedis">): Router {
  const router = Router();
  router.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  router.get("/readyz", async (_req, res) => {
    const { ready, body } = await checkReadiness({
      postgres: () => pingDatabase(ctx.db),
      redis: ctx.pingRedis,
    });
    res.status(ready ? 200 : 503).json(body);
  });
  return router;
}
