import type { Request, Response } from "express";
import { z } from "zod";
import type { ApiContext } from "../context.js";
import { ApiError, parseOr422 } from "../errors.js";
import { replayDelivery } from "../services/replays.js";
import { sendTestEvent } from "../services/test-sends.js";
import { updateWebhook } from "../services/webhooks.js";
import { type Flash, setFlash } from "./flash.js";
import { links } from "./links.js";

// The dashboard's buttons: each calls the API's service, then redirects (POST-redirect-GET) with a message.

type WebhookParams = { projectId: string; webhookId: string };
type DeliveryParams = WebhookParams & { deliveryId: string };

const returnToSchema = z.enum(["project", "webhook"]).catch("webhook");
const toggleSchema = z.object({ enabled: z.enum(["true", "false"]), from: returnToSchema });
const testSchema = z.object({ from: returnToSchema });

function backTo(params: WebhookParams, from: "project" | "webhook"): string {
  return from === "project"
    ? links.project(params.projectId)
    : links.webhook(params.projectId, params.webhookId);
}

/** Runs an action; a refusal the operator can act on (409, 422) becomes a message on the page they came from. */
async function act(
  req: Request,
  res: Response,
  back: string,
  action: () => Promise<{ flash: Flash; location?: string }>,
): Promise<void> {
  let outcome: { flash: Flash; location?: string };
  try {
    outcome = await action();
  } catch (error) {
    if (!(error instanceof ApiError) || (error.status !== 409 && error.status !== 422)) throw error;
    outcome = { flash: { kind: "error", text: error.message } };
  }
  setFlash(req, res, outcome.flash);
  res.redirect(303, outcome.location ?? back);
}

export function setEnabled(ctx: ApiContext) {
  return async (req: Request<WebhookParams>, res: Response) => {
    const body = parseOr422(toggleSchema, req.body ?? {});
    const { projectId, webhookId } = req.params;
    await act(req, res, backTo(req.params, body.from), async () => {
      const webhook = await updateWebhook(ctx, projectId, webhookId, { enabled: body.enabled === "true" });
      const text = webhook.enabled
        ? "Webhook enabled. Deliveries missed while it was disabled are not resent."
        : "Webhook disabled: it gets no new deliveries and its queued retries stop.";
      return { flash: { kind: "ok", text } };
    });
  };
}

export function sendTest(ctx: ApiContext) {
  return async (req: Request<WebhookParams>, res: Response) => {
    const body = parseOr422(testSchema, req.body ?? {});
    const { projectId, webhookId } = req.params;
    await act(req, res, backTo(req.params, body.from), async () => {
      const result = await sendTestEvent(ctx, projectId, webhookId);
      const outcome = result.status_code ?? result.error ?? "no answer";
      const text = `Test event ${result.success ? "delivered" : "failed"}: ${outcome} after ${result.latency_ms} ms (${result.delivery_id}).`;
      return { flash: { kind: result.success ? "ok" : "error", text } };
    });
  };
}

export function replay(ctx: ApiContext) {
  return async (req: Request<DeliveryParams>, res: Response) => {
    const { projectId, webhookId, deliveryId } = req.params;
    await act(req, res, links.delivery(projectId, webhookId, deliveryId), async () => {
      const { delivery_id } = await replayDelivery(ctx, projectId, webhookId, deliveryId);
      return {
        flash: { kind: "ok", text: `Replayed ${deliveryId} as ${delivery_id}.` },
        location: links.delivery(projectId, webhookId, delivery_id),
      };
    });
  };
}
