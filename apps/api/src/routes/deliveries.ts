import { listQuerySchema } from "@hookrelay/shared";
import { Router } from "express";
import type { ApiContext } from "../context.js";
import { parseOr422 } from "../errors.js";
import { getDelivery, listAttempts, listDeliveries } from "../services/deliveries.js";

type Params = { projectId: string; webhookId: string; deliveryId: string };

/** Mounted under /webhooks/:webhookId/deliveries. */
export function deliveryRoutes(ctx: ApiContext): Router {
  const router = Router({ mergeParams: true });

  router.get("/", async (req, res) => {
    const { projectId, webhookId } = req.params as Params;
    res.json(await listDeliveries(ctx, projectId, webhookId, parseOr422(listQuerySchema, req.query)));
  });
  router.get("/:deliveryId", async (req, res) => {
    const { projectId, webhookId, deliveryId } = req.params as Params;
    res.json(await getDelivery(ctx, projectId, webhookId, deliveryId));
  });
  router.get("/:deliveryId/attempts", async (req, res) => {
    const { projectId, webhookId, deliveryId } = req.params as Params;
    res.json(
      await listAttempts(ctx, projectId, webhookId, deliveryId, parseOr422(listQuerySchema, req.query)),
    );
  });
  return router;
}
