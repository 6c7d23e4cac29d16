import type { Prisma } from "@hookrelay/db";
import { createWebhookSchema, listQuerySchema, updateWebhookSchema } from "@hookrelay/shared";
import type { Request, Response } from "express";
import type { ApiContext } from "../context.js";
import { ApiError, parseOr422 } from "../errors.js";
import { projectWebhook, projectWithWebhooks } from "../services/dashboard.js";
import { getProject } from "../services/projects.js";
import { createWebhook, deleteWebhook, findWebhook, updateWebhook } from "../services/webhooks.js";
import { setFlash } from "./flash.js";
import { links } from "./links.js";
import { holdNewSecret } from "./new-secret.js";
import { projectPage } from "./pages/project.js";
import { deleteWebhookPage, editWebhookPage } from "./pages/webhook-edit.js";
import { type PageContextOf, sendPage } from "./respond.js";
import {
  createInputFrom,
  formErrorsOf,
  formValuesFromBody,
  formValuesFromWebhook,
  updateInputFrom,
} from "./webhook-form.js";

// Create, edit and delete a webhook from the dashboard's forms, through the API's own schemas and services.
// A refusal the operator can fix (422, or 409 at the per-project limit) answers the form again with that
// status, what was typed kept and the reasons beside the fields; success redirects (POST-redirect-GET).

type ProjectParams = { projectId: string };
type WebhookParams = ProjectParams & { webhookId: string };

/** The API's answer when the operator can fix the input, or undefined for anything else (rethrown). */
function refusal(error: unknown): ApiError | undefined {
  return error instanceof ApiError && (error.status === 422 || error.status === 409) ? error : undefined;
}

export function createFromForm(ctx: ApiContext, pageContext: PageContextOf) {
  return async (req: Request<ProjectParams>, res: Response) => {
    const { projectId } = req.params;
    // An unknown project is a 404 page, before anything is parsed or written.
    await getProject(ctx.db, projectId);
    const values = formValuesFromBody(req.body);
    let created: Awaited<ReturnType<typeof createWebhook>>;
    try {
      created = await createWebhook(ctx, projectId, parseOr422(createWebhookSchema, createInputFrom(values)));
    } catch (error) {
      const refused = refusal(error);
      if (!refused) throw error;
      const query = listQuerySchema.parse({});
      const view = await projectWithWebhooks(ctx, projectId, query);
      const errors = formErrorsOf(refused, values);
      sendPage(res, projectPage(pageContext(req, res), view, query, { values, errors }), refused.status);
      return;
    }
    holdNewSecret(req, res, ctx.secretBox, { webhookId: created.id, secret: created.secret });
    setFlash(req, res, { kind: "ok", text: `Webhook ${created.name ?? created.id} created.` });
    res.redirect(303, links.webhook(projectId, created.id));
  };
}

export function editForm(ctx: ApiContext, pageContext: PageContextOf) {
  return async (req: Request<WebhookParams>, res: Response) => {
    const view = await projectWebhook(ctx, req.params.projectId, req.params.webhookId);
    sendPage(res, editWebhookPage(pageContext(req, res), view, formValuesFromWebhook(view.webhook)));
  };
}

export function updateFromForm(ctx: ApiContext, pageContext: PageContextOf) {
  return async (req: Request<WebhookParams>, res: Response) => {
    const { projectId, webhookId } = req.params;
    const stored = await findWebhook(ctx, projectId, webhookId);
    const values = formValuesFromBody(req.body);
    try {
      const storedHeaders = (stored.headers ?? {}) as Prisma.JsonObject as Record<string, string>;
      const patch = parseOr422(updateWebhookSchema, updateInputFrom(values, storedHeaders));
      await updateWebhook(ctx, projectId, webhookId, patch);
    } catch (error) {
      const refused = refusal(error);
      if (!refused) throw error;
      const view = await projectWebhook(ctx, projectId, webhookId);
      const errors = formErrorsOf(refused, values);
      sendPage(res, editWebhookPage(pageContext(req, res), view, values, errors), refused.status);
      return;
    }
    setFlash(req, res, { kind: "ok", text: "Webhook saved." });
    res.redirect(303, links.webhook(projectId, webhookId));
  };
}

export function deleteConfirmation(ctx: ApiContext, pageContext: PageContextOf) {
  return async (req: Request<WebhookParams>, res: Response) => {
    const view = await projectWebhook(ctx, req.params.projectId, req.params.webhookId);
    sendPage(res, deleteWebhookPage(pageContext(req, res), view));
  };
}

export function deleteFromForm(ctx: ApiContext) {
  return async (req: Request<WebhookParams>, res: Response) => {
    const { projectId, webhookId } = req.params;
    const webhook = await findWebhook(ctx, projectId, webhookId);
    await deleteWebhook(ctx, projectId, webhookId);
    setFlash(req, res, {
      kind: "ok",
      text: `Webhook ${webhook.name ?? webhook.id} deleted, with its delivery log.`,
    });
    res.redirect(303, links.project(projectId));
  };
}
