import { deliveryListQuerySchema, listQuerySchema } from "@hookrelay/shared";
import { type ErrorRequestHandler, type Request, type RequestHandler, Router } from "express";
import { requireAdminLogin } from "../auth.js";
import type { ApiContext } from "../context.js";
import { ApiError, notFound, parseOr422 } from "../errors.js";
import { malformedPathId } from "../routes/path-ids.js";
import {
  deliveryWithAttempts,
  projectsWithWebhookCounts,
  projectWithSources,
  projectWithWebhooks,
  webhookWithDeliveryLog,
} from "../services/dashboard.js";
import { deliveryOverview, webhookActivity } from "../services/dashboard-charts.js";
import { sourceInstallSql } from "../services/sources.js";
import { replay, sendTest, setEnabled } from "./actions.js";
import { csrfToken, refuseCrossSiteWrites } from "./csrf.js";
import { takeFlash } from "./flash.js";
import { formBody } from "./form-body.js";
import { takeNewSecret } from "./new-secret.js";
import { deliveryPage } from "./pages/delivery.js";
import { errorPage } from "./pages/error.js";
import { overviewPage } from "./pages/overview.js";
import { projectPage } from "./pages/project.js";
import { projectsPage } from "./pages/projects.js";
import { sourcesPage } from "./pages/sources.js";
import { webhookPage } from "./pages/webhook.js";
import { type PageContextOf, sendPage } from "./respond.js";
import { DASHBOARD_CSS, DASHBOARD_ICON } from "./style.js";
import {
  createFromForm,
  deleteConfirmation,
  deleteFromForm,
  editForm,
  updateFromForm,
} from "./webhook-crud.js";

// No script runs on these pages, so the policy allows none; styles come from our own stylesheet only.
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "style-src 'self'",
  "img-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join("; ");

const securityHeaders: RequestHandler = (_req, res, next) => {
  res.set({
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Cache-Control": "no-store",
  });
  next();
};

/** Query parameters without empty values (an "any" choice in a filter form sends `status=`). */
function queryOf(req: Request): Record<string, unknown> {
  return Object.fromEntries(Object.entries(req.query).filter(([, value]) => value !== ""));
}

/** The operator's dashboard, mounted at /dashboard behind the admin key. */
export function dashboardRouter(ctx: ApiContext): Router {
  const router = Router();
  const token = csrfToken(ctx.adminApiKey);
  const pageContext: PageContextOf = (req, res) => ({
    csrfToken: token,
    flash: takeFlash(req, res),
  });

  router.use(securityHeaders);
  router.get("/assets/dashboard.css", (_req, res) => {
    res.set("Cache-Control", "private, max-age=300").type("css").send(DASHBOARD_CSS);
  });
  router.get("/assets/icon.svg", (_req, res) => {
    res.set("Cache-Control", "private, max-age=300").type("svg").send(DASHBOARD_ICON);
  });
  router.use(requireAdminLogin(ctx));
  // Room for a webhook form at its limits (100 event types, 20 headers of a few KiB each).
  router.use(formBody(128 * 1024));
  router.use(refuseCrossSiteWrites(ctx.adminApiKey));
  for (const name of ["projectId", "webhookId", "deliveryId", "sourceId"]) {
    router.param(name, (_req, _res, next, value: string) => next(malformedPathId(name, value)));
  }

  router.get("/", async (req, res) => {
    const query = parseOr422(listQuerySchema, queryOf(req));
    const view = await projectsWithWebhookCounts(ctx, query);
    sendPage(res, projectsPage(pageContext(req, res), view, query));
  });
  router.get("/overview", async (req, res) => {
    const view = await deliveryOverview(ctx);
    sendPage(res, overviewPage(pageContext(req, res), view));
  });
  router.get("/projects/:projectId", async (req, res) => {
    const query = parseOr422(listQuerySchema, queryOf(req));
    const view = await projectWithWebhooks(ctx, req.params.projectId, query);
    sendPage(res, projectPage(pageContext(req, res), view, query));
  });
  router.get("/projects/:projectId/webhooks/:webhookId", async (req, res) => {
    const query = parseOr422(deliveryListQuerySchema, queryOf(req));
    const view = await webhookWithDeliveryLog(ctx, req.params.projectId, req.params.webhookId, query);
    const activity = await webhookActivity(ctx, view.webhook.id);
    const newSecret = takeNewSecret(req, res, ctx.secretBox, view.webhook.id);
    sendPage(res, webhookPage(pageContext(req, res), view, activity, query, newSecret));
  });
  router.get("/projects/:projectId/webhooks/:webhookId/edit", editForm(ctx, pageContext));
  router.get("/projects/:projectId/webhooks/:webhookId/delete", deleteConfirmation(ctx, pageContext));
  router.get("/projects/:projectId/sources", async (req, res) => {
    const query = parseOr422(listQuerySchema, queryOf(req));
    const view = await projectWithSources(ctx, req.params.projectId, query);
    sendPage(res, sourcesPage(pageContext(req, res), view, query));
  });
  router.get("/projects/:projectId/sources/:sourceId/install.sql", async (req, res) => {
    const sql = await sourceInstallSql(ctx, req.params.projectId, req.params.sourceId);
    res.type("text/plain").send(sql);
  });
  router.get("/projects/:projectId/webhooks/:webhookId/deliveries/:deliveryId", async (req, res) => {
    const query = parseOr422(listQuerySchema, queryOf(req));
    const { projectId, webhookId, deliveryId } = req.params;
    const view = await deliveryWithAttempts(ctx, projectId, webhookId, deliveryId, query);
    sendPage(res, deliveryPage(pageContext(req, res), view, query));
  });

  router.post("/projects/:projectId/webhooks", createFromForm(ctx, pageContext));
  router.post("/projects/:projectId/webhooks/:webhookId/edit", updateFromForm(ctx, pageContext));
  router.post("/projects/:projectId/webhooks/:webhookId/delete", deleteFromForm(ctx));
  router.post("/projects/:projectId/webhooks/:webhookId/enabled", setEnabled(ctx));
  router.post("/projects/:projectId/webhooks/:webhookId/test", sendTest(ctx));
  router.post("/projects/:projectId/webhooks/:webhookId/deliveries/:deliveryId/replay", replay(ctx));

  router.use((_req, _res, next) => next(notFound("page")));
  const renderError: ErrorRequestHandler = (error, req, res, _next) => {
    let status = 500;
    let message = "internal error";
    if (error instanceof ApiError) {
      status = error.status;
      message = error.message;
    } else if (typeof error?.status === "number" && error.status >= 400 && error.status < 500) {
      status = error.status; // a body the form parser refused
      message = "bad request";
    } else {
      req.log?.error({ err: error }, "dashboard error");
    }
    sendPage(res, errorPage(status === 401 ? undefined : { csrfToken: token }, status, message), status);
  };
  router.use(renderError);
  return router;
}
