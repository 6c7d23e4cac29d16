import { createEventSchema, idempotencyKeySchema } from "@hookrelay/shared";
import { Router } from "express";
import type { ApiContext } from "../context.js";
import { parseOr422 } from "../errors.js";
import { ingestEvent } from "../services/ingest.js";

type Params = { projectId: string };

export function eventRoutes(ctx: ApiContext): Router {
  const router = Router({ mergeParams: true });

  router.post("/", async (req, res) => {
    const input = parseOr422(createEventSchema, req.body ?? {});
    const header = req.header("idempotency-key");
    const idempotencyKey = header === undefined ? undefined : parseOr422(idempotencyKeySchema, header);
    const result = await ingestEvent(ctx, (req.params as Params).projectId, input, idempotencyKey);
    res.status(result.created ? 202 : 200).json(result.body);
  });
  return router;
}
