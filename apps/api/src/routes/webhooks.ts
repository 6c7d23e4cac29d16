import {
  createdWebhookSchema,
  createWebhookSchema,
  listQuerySchema,
  rotatedSecretSchema,
  testSendResultSchema,
  updateWebhookSchema,
  webhookPageSchema,
  webhookSchema,
} from "@hookrelay/shared";
import { sendTestEvent } from "../services/test-sends.js";
import {
  createWebhook,
  deleteWebhook,
  getWebhook,
  listWebhooks,
  rotateWebhookSecret,
  updateWebhook,
} from "../services/webhooks.js";
import { route } from "./route.js";

const base = "/project/:projectId/webhooks";

export const webhookRoutes = [
  route({
    method: "post",
    path: base,
    auth: "project",
    summary: "Create a webhook subscription; its signing secret is shown only in this answer",
    status: 201,
    response: createdWebhookSchema,
    errors: { 409: "limit_exceeded: the project has MAX_WEBHOOKS_PER_PROJECT webhooks" },
    body: createWebhookSchema,
    handle: (ctx, { params, body }) => createWebhook(ctx, params.projectId ?? "", body),
  }),
  route({
    method: "get",
    path: base,
    auth: "project",
    summary: "List webhooks, newest first",
    status: 200,
    response: webhookPageSchema,
    query: listQuerySchema,
    handle: (ctx, { params, query }) => listWebhooks(ctx, params.projectId ?? "", query),
  }),
  route({
    method: "get",
    path: `${base}/:webhookId`,
    auth: "project",
    summary: "Get a webhook (never its secret)",
    status: 200,
    response: webhookSchema,
    handle: (ctx, { params }) => getWebhook(ctx, params.projectId ?? "", params.webhookId ?? ""),
  }),
  route({
    method: "patch",
    path: `${base}/:webhookId`,
    auth: "project",
    summary: "Update a webhook (any creatable field, plus enabled)",
    status: 200,
    response: webhookSchema,
    body: updateWebhookSchema,
    handle: (ctx, { params, body }) =>
      updateWebhook(ctx, params.projectId ?? "", params.webhookId ?? "", body),
  }),
  route({
    method: "delete",
    path: `${base}/:webhookId`,
    auth: "project",
    summary: "Delete a webhook with its deliveries",
    status: 204,
    handle: (ctx, { params }) => deleteWebhook(ctx, params.projectId ?? "", params.webhookId ?? ""),
  }),
  route({
    method: "post",
    path: `${base}/:webhookId/rotate-secret`,
    auth: "project",
    summary: "Rotate the signing secret; the old one keeps signing for 24 h",
    status: 200,
    response: rotatedSecretSchema,
    handle: (ctx, { params }) => rotateWebhookSecret(ctx, params.projectId ?? "", params.webhookId ?? ""),
  }),

  route({
    method: "post",
    path: `${base}/:webhookId/test`,
    auth: "project",
    summary:
      "Send a webhook.test event now, once, and answer with the outcome (it shows in the delivery log)",
    status: 200,
    response: testSendResultSchema,
    handle: (ctx, { params }) => sendTestEvent(ctx, params.projectId ?? "", params.webhookId ?? ""),
  }),
];
