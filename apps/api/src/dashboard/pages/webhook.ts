import type { DeliveryListQuery } from "@hookrelay/shared";
import type { webhookWithDeliveryLog } from "../../services/dashboard.js";
import type { webhookActivity } from "../../services/dashboard-charts.js";
import { outcomeBadge } from "../badges.js";
import { chartTable, formatMs, type TimeChartInput, timeChart } from "../charts.js";
import { html, type SafeHtml } from "../html.js";
import { layout, type PageContext, pager, time } from "../layout.js";
import { links } from "../links.js";
import { latencyLines, outcomeBars, outcomeCaption, outcomeStats, timeAxis } from "./activity.js";
import { enabledState, testButton, toggleButton, webhookHealth } from "./webhook-parts.js";

type WebhookView = Awaited<ReturnType<typeof webhookWithDeliveryLog>>;
type WebhookActivity = Awaited<ReturnType<typeof webhookActivity>>;

const STATUSES = ["pending", "succeeded", "failed"] as const;

/** The last 24 hours by hour: attempts by outcome (bars) and their latency (lines). */
function activitySection(activity: WebhookActivity): SafeHtml {
  const { attempts, window } = activity;
  const chart: TimeChartInput = {
    id: "webhook-activity",
    title: "Attempts per hour, last 24 hours",
    description: `Stacked bars, one per hour (UTC): attempts that succeeded, failed and were retried, or failed and ended their delivery; lines: p50 and p95 latency. In all: ${attempts.total.succeeded} succeeded, ${attempts.total.retried} retried, ${attempts.total.failed} gave up.`,
    ...timeAxis(attempts.buckets, window.bucketMs, 3),
    bars: outcomeBars(attempts),
    lines: latencyLines(attempts),
    formatLine: formatMs,
    emptyText: "No attempts in the last 24 hours",
  };
  return html`<section aria-labelledby="activity-heading"><h2 id="activity-heading">Last 24 hours</h2>
${outcomeStats(attempts)}
<figure class="chart-figure">${timeChart(chart)}
<figcaption>${outcomeCaption("hour")}</figcaption>
${chartTable(chart)}</figure></section>`;
}

/** The webhook's latest recoveries (`POST …/recover`) with their progress; nothing when it had none. */
function recoveriesSection(recoveries: WebhookView["recoveries"]): SafeHtml | "" {
  if (recoveries.length === 0) return "";
  const rows = recoveries.map(
    (
      recovery,
    ) => html`<tr data-recovery="${recovery.id}"><td class="mono">${recovery.id}</td><td>${recovery.state}</td>
<td><progress max="${Math.max(recovery.total, 1)}" value="${recovery.state === "done" ? Math.max(recovery.total, 1) : recovery.done}">${recovery.done}/${recovery.total}</progress> ${recovery.done} / ${recovery.total}</td>
<td>${time(recovery.since)} – ${time(recovery.until)}</td><td>${recovery.include_missed ? "failed + missed" : "failed"}</td><td>${time(recovery.created_at)}</td></tr>`,
  );
  return html`<section aria-labelledby="recoveries-heading"><h2 id="recoveries-heading">Recoveries</h2>
<table class="recoveries"><thead><tr><th>Recovery</th><th>State</th><th>Done / total</th><th>Window</th><th>Replays</th><th>Started</th></tr></thead>
<tbody>${rows}</tbody></table></section>`;
}

/** `newSecret`: the signing secret of a webhook created a moment ago, shown on this one answer only. */
export function webhookPage(
  context: PageContext,
  view: WebhookView,
  activity: WebhookActivity,
  query: DeliveryListQuery,
  newSecret?: string,
): string {
  const { project, webhook, deliveries } = view;
  const filters = { status: query.status, event_type: query.event_type };
  const headers = Object.entries(webhook.headers);

  const facts = html`<dl class="facts">
<dt>Id</dt><dd class="mono">${webhook.id}</dd>
<dt>URL</dt><dd class="mono">${webhook.url}</dd>
${webhook.description ? html`<dt>Description</dt><dd>${webhook.description}</dd>` : ""}
<dt>Event types</dt><dd class="mono">${webhook.event_types.join(", ")}${
    webhook.event_types.some((type) => type.startsWith("hookrelay."))
      ? html` <span class="muted">(subscribed to operational events)</span>`
      : ""
  }</dd>
<dt>Ordering</dt><dd>${
    webhook.ordering === "fifo"
      ? html`<strong>FIFO</strong>: one at a time, in event order${
          webhook.blocked_deliveries > 0 || webhook.blocked_since
            ? html` — <span class="fifo-line" data-blocked="${webhook.blocked_deliveries}">${webhook.blocked_deliveries} waiting behind the head${webhook.blocked_since ? html`, held since ${time(webhook.blocked_since)}` : ""}</span>`
            : ""
        }`
      : html`<span class="muted">none (in parallel)</span>`
  }</dd>
<dt>State</dt><dd>${enabledState(webhook)}</dd>
<dt>Fail count</dt><dd>${webhook.fail_count}</dd>
<dt>Health</dt><dd>${webhookHealth(webhook)}</dd>
${
  headers.length > 0
    ? html`<dt>Custom headers</dt><dd class="mono">${headers.map(([name, value]) => html`<div>${name}: ${value}</div>`)}</dd>`
    : ""
}
<dt>Payload filter</dt><dd>${webhook.filter ? html`<pre class="mono">${JSON.stringify(webhook.filter, null, 2)}</pre>` : html`<span class="muted">none: every event of its types</span>`}</dd>
<dt>Signature</dt><dd class="mono">${webhook.signature_header}: ${webhook.signature_format} <span class="muted">(plus the Standard Webhooks headers)</span></dd>
${webhook.rate_limit_per_second ? html`<dt>Rate limit</dt><dd>${webhook.rate_limit_per_second}/s</dd>` : ""}
<dt>Created</dt><dd>${time(webhook.created_at)}</dd>
</dl>`;

  const filterForm = html`<form class="filters" method="get" action="${links.webhook(project.id, webhook.id)}">
<label>Status <select name="status"><option value="">any</option>${STATUSES.map(
    (status) =>
      html`<option value="${status}"${query.status === status ? html` selected` : ""}>${status}</option>`,
  )}</select></label>
<label>Event type <input name="event_type" value="${query.event_type ?? ""}" size="20"></label>
<button type="submit">Filter</button>
${query.status || query.event_type ? html`<a href="${links.webhook(project.id, webhook.id)}">clear</a>` : ""}
</form>`;

  const rows = deliveries.map(
    (delivery) => html`<tr data-delivery-id="${delivery.id}">
<td>${outcomeBadge(delivery.last_attempt ?? undefined)}</td>
<td><a class="mono" href="${links.delivery(project.id, webhook.id, delivery.id)}">${delivery.id}</a>
${delivery.replay_of ? html`<div class="muted">replay of <span class="mono">${delivery.replay_of}</span></div>` : ""}</td>
<td class="mono">${delivery.event_type}</td>
<td data-status="${delivery.status}">${delivery.status}</td>
<td class="num">${delivery.attempt_count}</td>
<td>${time(delivery.created_at)}</td>
<td>${delivery.status === "pending" ? time(delivery.next_attempt_at) : time(delivery.completed_at)}</td>
</tr>`,
  );
  const log =
    rows.length > 0
      ? html`<table class="deliveries"><thead><tr><th>Last attempt</th><th>Delivery</th><th>Event type</th><th>Status</th><th>Attempts</th><th>Created</th><th>Next attempt / completed</th></tr></thead>
<tbody>${rows}</tbody></table>`
      : html`<p class="empty">No deliveries${query.status || query.event_type || query.cursor ? " match" : " yet"}.</p>`;

  const secretBox = newSecret
    ? html`<section class="new-secret" aria-labelledby="new-secret-title">
<h2 id="new-secret-title">Signing secret</h2>
<p>Copy it now into the receiver's configuration: it is not shown again (rotate it with the API if it is lost).</p>
<pre class="secret" data-secret>${newSecret}</pre>
</section>`
    : "";
  const body = html`<h1>${webhook.name ?? webhook.url}</h1>
${secretBox}
${facts}
<div class="actions">${toggleButton(context, webhook, "webhook")} ${testButton(context, webhook, "webhook")} <a class="button" href="${links.editWebhook(project.id, webhook.id)}">Edit</a> <a class="button danger" href="${links.deleteWebhook(project.id, webhook.id)}">Delete…</a></div>
${activitySection(activity)}
${recoveriesSection(view.recoveries)}
<h2>Delivery log</h2>
${filterForm}
${log}
${pager(query, view.next_cursor, (page) => links.webhook(project.id, webhook.id, { ...filters, ...page }))}`;
  return layout(
    context,
    webhook.name ?? webhook.id,
    [
      { label: "Projects", href: links.projects() },
      { label: project.name, href: links.project(project.id) },
      { label: webhook.name ?? webhook.id },
    ],
    body,
  );
}
