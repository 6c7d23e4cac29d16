import type { ListQuery } from "@hookrelay/shared";
import type { projectWithWebhooks } from "../../services/dashboard.js";
import { html } from "../html.js";
import { layout, type PageContext, pager } from "../layout.js";
import { links } from "../links.js";
import { emptyWebhookForm, type WebhookFormErrors, type WebhookFormValues } from "../webhook-form.js";
import { webhookForm } from "./webhook-form.js";
import { enabledState, testButton, toggleButton, webhookHealth } from "./webhook-parts.js";

type ProjectView = Awaited<ReturnType<typeof projectWithWebhooks>>;

/** The create form as it was posted, when the page answers a refused create. */
export interface CreateFormState {
  values: WebhookFormValues;
  errors: WebhookFormErrors;
}

export function projectPage(
  context: PageContext,
  view: ProjectView,
  query: ListQuery,
  createForm?: CreateFormState,
): string {
  const { project, webhooks } = view;
  const rows = webhooks.data.map(
    (webhook) => html`<tr data-webhook-id="${webhook.id}">
<td><a href="${links.webhook(project.id, webhook.id)}">${webhook.name ?? webhook.id}</a>
<div class="mono">${webhook.url}</div></td>
<td class="mono">${webhook.event_types.join(", ")}</td>
<td>${enabledState(webhook)}</td>
<td class="num">${webhook.fail_count}</td>
<td>${webhookHealth(webhook)}</td>
<td>${toggleButton(context, webhook, "project")} ${testButton(context, webhook, "project")} <a href="${links.editWebhook(project.id, webhook.id)}">Edit</a></td>
</tr>`,
  );
  const body = html`<h1>${project.name}</h1>
<p class="muted mono">${project.id}</p>
<p><a href="${links.sources(project.id)}">Database sources</a></p>
<h2>Webhooks</h2>
${
  rows.length > 0
    ? html`<table><thead><tr><th>Webhook</th><th>Event types</th><th>State</th><th>Fail count</th><th>Health</th><th></th></tr></thead>
<tbody>${rows}</tbody></table>`
    : html`<p class="empty">No webhooks yet: add one below, or with <code>POST /v1/project/${project.id}/webhooks</code>.</p>`
}
${pager(query, webhooks.next_cursor, (page) => links.project(project.id, page))}
<h2 id="new-webhook">Add a webhook</h2>
${webhookForm(context, {
  mode: "create",
  action: links.webhooks(project.id),
  values: createForm?.values ?? emptyWebhookForm(),
  errors: createForm?.errors,
})}`;
  return layout(
    context,
    project.name,
    [{ label: "Projects", href: links.projects() }, { label: project.name }],
    body,
  );
}
