import type { projectWebhook } from "../../services/dashboard.js";
import { html } from "../html.js";
import { type Crumb, layout, type PageContext, postButton } from "../layout.js";
import { links } from "../links.js";
import type { WebhookFormErrors, WebhookFormValues } from "../webhook-form.js";
import { webhookForm } from "./webhook-form.js";

type ProjectWebhook = Awaited<ReturnType<typeof projectWebhook>>;

function crumbs({ project, webhook }: ProjectWebhook, last: string): Crumb[] {
  return [
    { label: "Projects", href: links.projects() },
    { label: project.name, href: links.project(project.id) },
    { label: webhook.name ?? webhook.id, href: links.webhook(project.id, webhook.id) },
    { label: last },
  ];
}

export function editWebhookPage(
  context: PageContext,
  view: ProjectWebhook,
  values: WebhookFormValues,
  errors?: WebhookFormErrors,
): string {
  const { project, webhook } = view;
  const body = html`<h1>Edit ${webhook.name ?? webhook.url}</h1>
<p class="muted mono">${webhook.id}</p>
${webhookForm(context, { mode: "edit", action: links.editWebhook(project.id, webhook.id), values, errors })}
<p class="muted">The signing secret cannot be changed here: rotate it with <code>POST /v1/project/${project.id}/webhooks/${webhook.id}/rotate-secret</code>.</p>
<h2>Delete</h2>
<p><a class="button danger" href="${links.deleteWebhook(project.id, webhook.id)}">Delete this webhook…</a></p>`;
  return layout(context, `Edit ${webhook.name ?? webhook.id}`, crumbs(view, "Edit"), body);
}

/** The confirmation step: deleting cannot be undone and takes the delivery log with it. */
export function deleteWebhookPage(context: PageContext, view: ProjectWebhook): string {
  const { project, webhook } = view;
  const body = html`<h1>Delete ${webhook.name ?? webhook.url}?</h1>
<dl class="facts">
<dt>Id</dt><dd class="mono">${webhook.id}</dd>
<dt>URL</dt><dd class="mono">${webhook.url}</dd>
<dt>Event types</dt><dd class="mono">${webhook.event_types.join(", ")}</dd>
</dl>
<p>The webhook stops receiving events at once, and its delivery log (every delivery and attempt) is deleted with it. This cannot be undone; to pause it instead, disable it.</p>
<div class="actions">${postButton(
    context,
    links.deleteWebhook(project.id, webhook.id),
    "Delete webhook permanently",
    {},
    "danger",
  )} <a class="button" href="${links.webhook(project.id, webhook.id)}">Cancel</a></div>`;
  return layout(context, `Delete ${webhook.name ?? webhook.id}`, crumbs(view, "Delete"), body);
}
