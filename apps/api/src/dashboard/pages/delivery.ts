import type { ListQuery } from "@hookrelay/shared";
import type { deliveryWithAttempts } from "../../services/dashboard.js";
import { outcomeBadge } from "../badges.js";
import { html } from "../html.js";
import { layout, type PageContext, pager, postButton, time } from "../layout.js";
import { links } from "../links.js";

type DeliveryView = Awaited<ReturnType<typeof deliveryWithAttempts>>;

export function deliveryPage(context: PageContext, view: DeliveryView, query: ListQuery): string {
  const { project, webhook, delivery, attempts, event } = view;
  const lastAttempt = attempts.data.at(-1);
  const facts = html`<dl class="facts">
<dt>Id</dt><dd class="mono">${delivery.id}</dd>
<dt>Status</dt><dd data-status="${delivery.status}">${delivery.status}</dd>
<dt>Event</dt><dd class="mono">${delivery.event_id} (${delivery.event_type})</dd>
<dt>Attempts</dt><dd>${delivery.attempt_count}</dd>
${
  delivery.replay_of
    ? html`<dt>Replay of</dt><dd><a class="mono" href="${links.delivery(project.id, webhook.id, delivery.replay_of)}">${delivery.replay_of}</a></dd>`
    : ""
}
<dt>Created</dt><dd>${time(delivery.created_at)}</dd>
${delivery.status === "pending" ? html`<dt>Next attempt</dt><dd>${time(delivery.next_attempt_at)}</dd>` : ""}
${delivery.completed_at ? html`<dt>Completed</dt><dd>${time(delivery.completed_at)}</dd>` : ""}
</dl>`;

  const rows = attempts.data.map(
    (attempt) => html`<tr data-attempt-number="${attempt.attempt_number}">
<td class="num">${attempt.attempt_number}</td>
<td>${outcomeBadge({ statusCode: attempt.status_code, error: attempt.error })}</td>
<td class="num">${attempt.latency_ms} ms</td>
<td>${attempt.error ?? html`<span class="muted">—</span>`}</td>
<td>${time(attempt.created_at)}</td>
<td>${attempt.response_body ? html`<pre class="response-body">${attempt.response_body}</pre>` : html`<span class="muted">(empty)</span>`}</td>
</tr>`,
  );
  const attemptTable =
    rows.length > 0
      ? html`<table class="attempts"><thead><tr><th>#</th><th>Status</th><th>Latency</th><th>Error</th><th>At</th><th>Response body (first KiB)</th></tr></thead>
<tbody>${rows}</tbody></table>`
      : html`<p class="empty">No attempts yet. <a href="${links.delivery(project.id, webhook.id, delivery.id)}">Refresh</a></p>`;

  const body = html`<h1>Delivery <span class="mono">${delivery.id}</span> ${outcomeBadge(
    lastAttempt ? { statusCode: lastAttempt.status_code, error: lastAttempt.error } : undefined,
  )}</h1>
${facts}
<div class="actions">${postButton(
    context,
    `${links.delivery(project.id, webhook.id, delivery.id)}/replay`,
    "Replay",
    {},
    "primary",
  )}${webhook.enabled ? "" : html` <span class="muted">The webhook is disabled: enable it to replay.</span>`}</div>
<h2>Attempts</h2>
${attemptTable}
${pager(query, attempts.next_cursor, (page) => links.delivery(project.id, webhook.id, delivery.id, page), [
  "« First",
  "Later »",
])}
<h2>Event</h2>
<pre class="payload">${JSON.stringify(
    {
      event_id: event.id,
      event_type: event.event_type,
      created_at: event.created_at,
      project_id: project.id,
      data: event.data,
    },
    null,
    2,
  )}</pre>`;
  return layout(
    context,
    `Delivery ${delivery.id}`,
    [
      { label: "Projects", href: links.projects() },
      { label: project.name, href: links.project(project.id) },
      { label: webhook.name ?? webhook.id, href: links.webhook(project.id, webhook.id) },
      { label: delivery.id },
    ],
    body,
  );
}
