import { createProjectSchema, listQuerySchema } from "@hookrelay/shared";
import { Router } from "express";
import { requireAdmin } from "../auth.js";
import type { ApiContext } from "../context.js";
import { parseOr422 } from "../errors.js";
import { createApiKey, revokeApiKey } from "../services/api-keys.js";
import { createProject, getProject, listProjects } from "../services/projects.js";

export function projectRoutes(ctx: ApiContext): Router {
  const router = Router();
  router.use(requireAdmin(ctx));

  router.post("/", async (req, res) => {
    res.status(201).json(await createProject(ctx.db, parseOr422(createProjectSchema, req.body ?? {})));
  });
  router.get("/", async (req, res) => {
    res.json(await listProjects(ctx.db, parseOr422(listQuerySchema, req.query)));
  });
  router.get("/:projectId", async (req, res) => {
    res.json(await getProject(ctx.db, req.params.projectId));
  });
  router.post("/:projectId/api-keys", async (req, res) => {
    await getProject(ctx.db, req.params.projectId);
    const key = await createApiKey(ctx.db, req.params.projectId);
    res.status(201).json(key);
  });
  router.delete("/:projectId/api-keys/:keyId", async (req, res) => {
    await revokeApiKey(ctx.db, req.params.projectId, req.params.keyId);
    res.status(204).end();
  });
  return router;
}
