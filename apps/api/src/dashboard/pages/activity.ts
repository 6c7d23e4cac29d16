import type { OutcomeBucket, OutcomeSeries } from "@hookrelay/db";
import type { BarSeries, LineSeries, TimeChartInput } from "../charts.js";
import { formatMs } from "../charts.js";
import { html, type SafeHtml } from "../html.js";

// What the overview and a webhook's page chart alike: attempts by outcome, and their latency.

const OUTCOMES = [
  { key: "succeeded", label: "succeeded", color: "#2f9e55" },
  { key: "retried", label: "failed (retried)", color: "#e0a526" },
  { key: "failed", label: "failed (gave up)", color: "#d64545" },
] as const;

const hhmm = (at: Date) => at.toISOString().slice(11, 16);

export function outcomeBars(series: OutcomeSeries): BarSeries[] {
  return OUTCOMES.map((outcome) => ({
    ...outcome,
    values: series.buckets.map((bucket) => bucket[outcome.key]),
  }));
}

export function latencyLines(series: OutcomeSeries): LineSeries[] {
  return [
    { key: "p50", label: "p50 latency", color: "#1f5fbf", values: series.buckets.map((b) => b.p50Ms) },
    {
      key: "p95",
      label: "p95 latency",
      color: "#7b3fbf",
      dashed: true,
      values: series.buckets.map((b) => b.p95Ms),
    },
  ];
}

/** Axis labels every `every` buckets (UTC `HH:MM`), and each bucket's span as its name. */
export function timeAxis(
  buckets: readonly OutcomeBucket[],
  bucketMs: number,
  every: number,
): Pick<TimeChartInput, "labels" | "names"> {
  const count = buckets.length;
  return {
    // Counted from the last (current) bucket, so the newest always has its label.
    labels: buckets.map((bucket, index) => ((count - 1 - index) % every === 0 ? hhmm(bucket.start) : "")),
    names: buckets.map(
      (bucket) => `${hhmm(bucket.start)}–${hhmm(new Date(bucket.start.getTime() + bucketMs))} UTC`,
    ),
  };
}

/** The window's totals as a row of figures. */
export function outcomeStats(series: OutcomeSeries): SafeHtml {
  const { total } = series;
  const stat = (kind: string, value: string | number, label: string) =>
    html`<div class="stat stat-${kind}" data-stat="${kind}"><div class="stat-value">${value}</div><div class="stat-label">${label}</div></div>`;
  const ms = (value: number | null) => (value === null ? "—" : formatMs(value));
  return html`<div class="stats">
${stat("succeeded", total.succeeded, "attempts succeeded")}
${stat("retried", total.retried, "failed (retried)")}
${stat("failed", total.failed, "failed (gave up)")}
${stat("p50", ms(total.p50Ms), "p50 latency")}
${stat("p95", ms(total.p95Ms), "p95 latency")}
</div>`;
}

/** How the outcome bars count, under each chart of them. */
export function outcomeCaption(bucket: "minute" | "hour"): string {
  return `Each attempt counts once, in the ${bucket} (UTC) it was made: succeeded — the receiver answered 2xx; failed (retried) — another try follows; failed (gave up) — the delivery's last try, which ended it as failed. A delivery that took three tries is three attempts. Latency: from sending the request to the end of the answer (or the error).`;
}
