import { createWebhookSchema, listQuerySchema, updateWebhookSchema } from "@hookrelay/shared";
import { Router } from "express";
import type { ApiContext } from "../context.js";
import { parseOr422 } from "../errors.js";
import {
  createWebhook,
  deleteWebhook,
  getWebhook,
  listWebhooks,
  rotateWebhookSecret,
  updateWebhook,
} from "../services/webhooks.js";

type Params = { projectId: string; webhookId: string };

export function webhookRoutes(ctx: ApiContext): Router {
  const router = Router({ mergeParams: true });

  router.post("/", async (req, res) => {
    const input = parseOr422(createWebhookSchema, req.body ?? {});
    res.status(201).json(await createWebhook(ctx, (req.params as Params).projectId, input));
  });
  router.get("/", async (req, res) => {
    res.json(
      await listWebhooks(ctx, (req.params as Params).projectId, parseOr422(listQuerySchema, req.query)),
    );
  });
  router.get("/:webhookId", async (req, res) => {
    res.json(await getWebhook(ctx, (req.params as Params).projectId, (req.params as Params).webhookId));
  });
  router.patch("/:webhookId", async (req, res) => {
    const patch = parseOr422(updateWebhookSchema, req.body ?? {});
    res.json(
      await updateWebhook(ctx, (req.params as Params).projectId, (req.params as Params).webhookId, patch),
    );
  });
  router.post("/:webhookId/rotate-secret", async (req, res) => {
    const { projectId, webhookId } = req.params as Params;
    res.json(await rotateWebhookSecret(ctx, projectId, webhookId));
  });
  router.delete("/:webhookId", async (req, res) => {
    await deleteWebhook(ctx, (req.params as Params).projectId, (req.params as Params).webhookId);
    res.status(204).end();
  });
  return router;
}
