import { BULL_BOARD_PATH } from "../../admin/bull-board.js";
import type { deliveryOverview, QueueDepth } from "../../services/dashboard-charts.js";
import { barList, chartTable, formatMs, type TimeChartInput, timeChart } from "../charts.js";
import { html, type SafeHtml } from "../html.js";
import { layout, type PageContext, time } from "../layout.js";
import { links } from "../links.js";
import { latencyLines, outcomeBars, outcomeCaption, outcomeStats, timeAxis } from "./activity.js";
import { enabledState } from "./webhook-parts.js";

type OverviewView = Awaited<ReturnType<typeof deliveryOverview>>;

const CHART_WIDTH = 600;

const QUEUE_STATES = [
  { key: "waiting", label: "waiting", color: "#1f5fbf" },
  { key: "active", label: "active", color: "#2f9e55" },
  { key: "delayed", label: "delayed", color: "#e0a526" },
  { key: "failed", label: "failed", color: "#d64545" },
] as const;

function queueSection(queues: readonly QueueDepth[]): SafeHtml {
  if (queues.some((queue) => queue.counts === null)) {
    return html`<p class="empty" data-queues="unavailable">Redis did not answer: no queue depths right now.</p>`;
  }
  const chart = barList({
    id: "queue-depth",
    title: "Jobs per queue",
    description: `Jobs in each of the ${queues.length} queues by state (waiting, active, delayed, failed).`,
    labels: queues.map((queue) => queue.label),
    bars: QUEUE_STATES.map((state) => ({
      ...state,
      values: queues.map((queue) => queue.counts?.[state.key] ?? 0),
    })),
    width: CHART_WIDTH,
  });
  const rows = queues.map(
    (queue) =>
      html`<tr data-queue="${queue.label}"><td class="mono">${queue.label}</td>${QUEUE_STATES.map(
        (state) => html`<td class="num" data-state="${state.key}">${queue.counts?.[state.key] ?? 0}</td>`,
      )}</tr>`,
  );
  return html`<figure class="chart-figure">${chart}
<figcaption>Jobs in BullMQ now: every delivery shard and the maintenance queue. Delayed: retries and rate-limited tries waiting for their time; failed: kept for inspection in <a href="${BULL_BOARD_PATH}">Bull Board</a>.</figcaption>
<details class="chart-numbers"><summary>Numbers</summary><table><thead><tr><th>Queue</th>${QUEUE_STATES.map(
    (state) => html`<th>${state.label}</th>`,
  )}</tr></thead><tbody>${rows}</tbody></table></details>
</figure>`;
}

function failingSection(failing: OverviewView["failing"]): SafeHtml {
  if (failing.webhooks.length === 0) {
    return html`<p class="empty" data-failing="none">No webhook is failing.</p>`;
  }
  const rows = failing.webhooks.map(
    (webhook) => html`<tr data-webhook-id="${webhook.id}">
<td><a href="${links.webhook(webhook.project_id, webhook.id)}">${webhook.name ?? webhook.id}</a><div class="mono">${webhook.url}</div></td>
<td><a href="${links.project(webhook.project_id)}">${webhook.project_name}</a></td>
<td>${enabledState(webhook)}</td>
<td>${time(webhook.failing_since)}</td>
<td class="num">${webhook.fail_count}</td>
<td>${time(webhook.last_failure_at)}</td>
</tr>`,
  );
  return html`<table class="failing-webhooks"><thead><tr><th>Webhook</th><th>Project</th><th>State</th><th>Failing since</th><th>Failed attempts</th><th>Last failure</th></tr></thead>
<tbody>${rows}</tbody></table>
${failing.more ? html`<p class="muted">Only the ${failing.webhooks.length} failing longest are listed.</p>` : ""}`;
}

/** Every project's deliveries at a glance: the last hour per minute, the queues, what is failing now. */
export function overviewPage(context: PageContext, view: OverviewView): string {
  const { attempts, window } = view;
  const axis = timeAxis(attempts.buckets, window.bucketMs, 10);
  const outcomes: TimeChartInput = {
    id: "attempts-per-minute",
    title: "Delivery attempts per minute, last hour",
    description: `Stacked bars, one per minute (UTC): attempts that succeeded, failed and were retried, or failed and ended their delivery. In all: ${attempts.total.succeeded} succeeded, ${attempts.total.retried} retried, ${attempts.total.failed} gave up.`,
    ...axis,
    bars: outcomeBars(attempts),
    emptyText: "No attempts in the last hour",
    width: CHART_WIDTH,
  };
  const latency: TimeChartInput = {
    id: "latency-per-minute",
    title: "Attempt latency per minute, last hour",
    description: `p50 and p95 latency of the attempts of each minute (UTC). Over the hour: p50 ${
      attempts.total.p50Ms === null ? "none" : formatMs(attempts.total.p50Ms)
    }, p95 ${attempts.total.p95Ms === null ? "none" : formatMs(attempts.total.p95Ms)}.`,
    ...axis,
    lines: latencyLines(attempts),
    formatLine: formatMs,
    emptyText: "No attempts in the last hour",
    width: CHART_WIDTH,
  };
  const body = html`<h1>Overview</h1>
<p class="muted">All projects, the last hour by minute (UTC), the queues now, and the webhooks failing now.</p>
${outcomeStats(attempts)}
<div class="chart-grid">
<section aria-labelledby="attempts-heading"><h2 id="attempts-heading">Deliveries per minute</h2>
<figure class="chart-figure">${timeChart(outcomes)}
<figcaption>${outcomeCaption("minute")}</figcaption>
${chartTable(outcomes)}</figure></section>
<section aria-labelledby="latency-heading"><h2 id="latency-heading">Latency</h2>
<figure class="chart-figure">${timeChart(latency)}
<figcaption>p50 and p95 of the attempts of each minute; a gap is a minute without attempts.</figcaption>
${chartTable(latency)}</figure></section>
<section aria-labelledby="queues-heading"><h2 id="queues-heading">Queues</h2>
${queueSection(view.queues)}</section>
</div>
<section aria-labelledby="failing-heading"><h2 id="failing-heading">Failing webhooks</h2>
${failingSection(view.failing)}</section>`;
  return layout(context, "Overview", [{ label: "Overview" }], body);
}
