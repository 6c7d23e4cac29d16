import { html, type SafeHtml } from "./html.js";

// Charts as inline SVG, drawn on the server: the dashboard's CSP allows no script and no inline style, so
// colors and sizes are SVG presentation attributes (fill, stroke, height, …), which are not styles. Every
// chart is an `<svg role="img">` named by its <title> and <desc>, with a <title> per bar or point (a
// tooltip) and a table of its numbers (chartTable) for whoever would rather read.

export interface ChartSeries {
  key: string;
  label: string;
  /** An SVG paint (`#2f9e55`). */
  color: string;
}

export interface BarSeries extends ChartSeries {
  /** One per bucket (or row). */
  values: readonly number[];
}

export interface LineSeries extends ChartSeries {
  /** One per bucket; null where there is nothing to measure (a gap in the line). */
  values: readonly (number | null)[];
  dashed?: boolean;
}

export interface TimeChartInput {
  /** Unique on the page: the ids of the chart's title and description start with it. */
  id: string;
  title: string;
  description: string;
  /** The x-axis label of each bucket ("" for none). */
  labels: readonly string[];
  /** Each bucket's full name, for its tooltip and table row (its label when missing). */
  names?: readonly string[];
  /** Stacked bars (counts), on the left axis. */
  bars?: readonly BarSeries[];
  /** Lines on the right axis (on the left one when there are no bars). */
  lines?: readonly LineSeries[];
  /** How a line value reads (`120 ms`). */
  formatLine?: (value: number) => string;
  /** Said in the plot when there is nothing to draw. */
  emptyText?: string;
  /** Of the viewBox, in the units of its 11-unit text (760 when missing). */
  width?: number;
}

export interface BarListInput {
  id: string;
  title: string;
  description: string;
  /** One per row. */
  labels: readonly string[];
  /** Stacked left to right; each series has one value per row. */
  bars: readonly BarSeries[];
  emptyText?: string;
  width?: number;
}

const DEFAULT_WIDTH = 760;
const LEGEND_HEIGHT = 26;
const FONT_SIZE = 11;
const AXIS_COLOR = "#9aa4af";
const GRID_COLOR = "#e3e7eb";
const TEXT_COLOR = "#5b6470";

/** Coordinates to one decimal: enough for a screen, and stable text for tests. */
const at = (value: number) => Math.round(value * 10) / 10;

const plain = (value: number) => String(value);

export interface Scale {
  max: number;
  ticks: number[];
}

/** An axis from 0 to a round maximum at or above `value`, in steps of 1, 2 or 5 × 10ⁿ (at least 1). */
export function niceScale(value: number, steps = 4): Scale {
  if (!(value > 0)) return { max: 1, ticks: [0, 1] };
  const raw = value / steps;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = Math.max(1, ([1, 2, 5, 10].find((factor) => factor * magnitude >= raw) ?? 10) * magnitude);
  const max = step * Math.ceil(value / step);
  const ticks: number[] = [];
  for (let tick = 0; tick <= max + step / 2; tick += step) ticks.push(tick);
  return { max, ticks };
}

/** `840 ms`, `1.2 s`. */
export function formatMs(value: number): string {
  if (value < 1_000) return `${Math.round(value)} ms`;
  return `${(value / 1_000).toFixed(value < 10_000 ? 1 : 0)} s`;
}

function legend(
  series: readonly (ChartSeries & { line?: boolean; dashed?: boolean })[],
  x0: number,
): SafeHtml {
  let x = x0;
  const items = series.map((item) => {
    const swatch = item.line
      ? html`<line x1="${x}" y1="${9}" x2="${x + 14}" y2="${9}" stroke="${item.color}" stroke-width="2.5"${
          item.dashed ? html` stroke-dasharray="4 3"` : ""
        }/>`
      : html`<rect x="${x + 2}" y="${3}" width="${11}" height="${11}" rx="2" fill="${item.color}"/>`;
    const text = html`<text x="${x + 19}" y="${13}" fill="${TEXT_COLOR}">${item.label}</text>`;
    x += 19 + item.label.length * 6.4 + 18;
    return html`<g class="legend-item" data-series="${item.key}">${swatch}${text}</g>`;
  });
  return html`<g class="legend">${items}</g>`;
}

function svgOpen(id: string, title: string, description: string, width: number, height: number): SafeHtml {
  return html`<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="${id}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="${id}-title ${id}-desc" font-size="${FONT_SIZE}">
<title id="${id}-title">${title}</title>
<desc id="${id}-desc">${description}</desc>`;
}

/** One number per bucket: the sum of the stacked series. */
function stackTotals(bars: readonly BarSeries[], count: number): number[] {
  return Array.from({ length: count }, (_, index) =>
    bars.reduce((sum, series) => sum + (series.values[index] ?? 0), 0),
  );
}

function lineMaximum(lines: readonly LineSeries[]): number {
  let max = 0;
  for (const series of lines)
    for (const value of series.values) if (value !== null && value > max) max = value;
  return max;
}

/** `label: 3 succeeded, 1 retried · p95 120 ms`, a bucket's numbers in one line. */
function bucketSummary(input: TimeChartInput, index: number): string {
  const format = input.formatLine ?? plain;
  const counts = (input.bars ?? []).map((series) => `${series.values[index] ?? 0} ${series.label}`);
  const lines = (input.lines ?? []).map((series) => {
    const value = series.values[index];
    return `${series.label} ${value === null || value === undefined ? "—" : format(value)}`;
  });
  const name = input.names?.[index] ?? input.labels[index] ?? "";
  return `${name}: ${[counts.join(", "), lines.join(", ")].filter(Boolean).join(" · ")}`;
}

/**
 * A time series: a stacked bar per bucket (counts, left axis) and lines (right axis), with gridlines, a
 * legend and a tooltip per bucket. Buckets are drawn left to right as given, every one of them, zeros too.
 */
export function timeChart(input: TimeChartInput): SafeHtml {
  const bars = input.bars ?? [];
  const lines = input.lines ?? [];
  const format = input.formatLine ?? plain;
  const count = input.labels.length;
  const width = input.width ?? DEFAULT_WIDTH;
  const linesOnLeft = bars.length === 0;
  const height = 240;
  const top = LEGEND_HEIGHT + 8;
  const bottom = 22;
  const left = linesOnLeft ? 58 : 40;
  const right = lines.length > 0 && !linesOnLeft ? 58 : 12;
  const plotWidth = width - left - right;
  const plotHeight = height - top - bottom;
  const baseline = top + plotHeight;
  const slot = count > 0 ? plotWidth / count : plotWidth;
  const barWidth = Math.max(1, slot * 0.72);

  const totals = stackTotals(bars, count);
  const countScale = niceScale(Math.max(0, ...totals));
  const lineScale = niceScale(lineMaximum(lines));
  const y = (value: number, scale: Scale) => at(baseline - (value / scale.max) * plotHeight);
  const leftScale = linesOnLeft ? lineScale : countScale;

  const grid = leftScale.ticks.map(
    (
      tick,
    ) => html`<line x1="${left}" y1="${y(tick, leftScale)}" x2="${width - right}" y2="${y(tick, leftScale)}" stroke="${tick === 0 ? AXIS_COLOR : GRID_COLOR}"/>
<text x="${left - 6}" y="${y(tick, leftScale) + 4}" text-anchor="end" fill="${TEXT_COLOR}">${linesOnLeft ? format(tick) : tick}</text>`,
  );
  const rightAxis =
    lines.length > 0 && !linesOnLeft
      ? lineScale.ticks.map(
          (tick) =>
            html`<text x="${width - right + 6}" y="${y(tick, lineScale) + 4}" fill="${TEXT_COLOR}">${format(tick)}</text>`,
        )
      : [];
  const xLabels = input.labels.map((label, index) =>
    label
      ? html`<text x="${at(left + (index + 0.5) * slot)}" y="${height - 6}" text-anchor="middle" fill="${TEXT_COLOR}">${label}</text>`
      : "",
  );

  const buckets = input.labels.map((_, index) => {
    const x = at(left + index * slot + (slot - barWidth) / 2);
    let stacked = 0;
    const rects = bars.map((series) => {
      const value = series.values[index] ?? 0;
      if (value <= 0) return "";
      const bottomY = y(stacked, countScale);
      stacked += value;
      const topY = y(stacked, countScale);
      return html`<rect x="${x}" y="${topY}" width="${at(barWidth)}" height="${at(bottomY - topY)}" fill="${series.color}" data-series="${series.key}" data-value="${value}"/>`;
    });
    // An invisible full-height target, so every bucket (an empty one too) has its tooltip.
    return html`<g class="bucket" data-bucket="${index}" data-total="${totals[index] ?? 0}"><title>${bucketSummary(input, index)}</title><rect x="${at(left + index * slot)}" y="${top}" width="${at(slot)}" height="${plotHeight}" fill="#ffffff" fill-opacity="0"/>${rects}</g>`;
  });

  const lineScaleUsed = linesOnLeft ? leftScale : lineScale;
  const paths = lines.map((series) => {
    let d = "";
    let previous = false;
    const points = series.values.map((value, index) => {
      if (value === null || value === undefined) {
        previous = false;
        return "";
      }
      const cx = at(left + (index + 0.5) * slot);
      const cy = y(value, lineScaleUsed);
      d += `${previous ? "L" : "M"}${cx} ${cy} `;
      previous = true;
      const name = input.names?.[index] ?? input.labels[index] ?? "";
      return html`<circle cx="${cx}" cy="${cy}" r="2.5" fill="${series.color}"><title>${name}: ${series.label} ${format(value)}</title></circle>`;
    });
    return html`<g class="line" data-series="${series.key}"><path d="${d.trim()}" fill="none" stroke="${series.color}" stroke-width="2" stroke-linejoin="round"${
      series.dashed ? html` stroke-dasharray="5 4"` : ""
    }/>${points}</g>`;
  });

  const empty =
    totals.every((total) => total === 0) &&
    lines.every((series) => series.values.every((value) => value === null || value === undefined));
  const emptyNote = empty
    ? html`<text class="chart-empty" x="${at(left + plotWidth / 2)}" y="${at(top + plotHeight / 2)}" text-anchor="middle" fill="${TEXT_COLOR}">${input.emptyText ?? "Nothing in this window"}</text>`
    : "";

  return html`${svgOpen(input.id, input.title, input.description, width, height)}
${legend([...bars, ...lines.map((series) => ({ ...series, line: true }))], left)}
<g class="grid">${grid}${rightAxis}</g>
<g class="bars">${buckets}</g>
${paths}
<g class="x-labels">${xLabels}</g>
${emptyNote}
</svg>`;
}

/** The numbers behind a time chart, as a table under a <details> (closed). */
export function chartTable(input: TimeChartInput, summary = "Numbers"): SafeHtml {
  const bars = input.bars ?? [];
  const lines = input.lines ?? [];
  const format = input.formatLine ?? plain;
  const rows = input.labels.map((label, index) => {
    const counts = bars.map((series) => html`<td class="num">${series.values[index] ?? 0}</td>`);
    const measured = lines.map((series) => {
      const value = series.values[index];
      return html`<td class="num">${value === null || value === undefined ? "—" : format(value)}</td>`;
    });
    return html`<tr><th scope="row">${input.names?.[index] ?? label}</th>${counts}${measured}</tr>`;
  });
  return html`<details class="chart-numbers"><summary>${summary}</summary>
<table><thead><tr><th></th>${[...bars, ...lines].map((series) => html`<th>${series.label}</th>`)}</tr></thead>
<tbody>${rows}</tbody></table></details>`;
}

/** Horizontal stacked bars, one row per label (e.g. jobs per queue by state). */
export function barList(input: BarListInput): SafeHtml {
  const width = input.width ?? DEFAULT_WIDTH;
  const rowHeight = 24;
  const top = LEGEND_HEIGHT + 6;
  const left = 150;
  const right = 60;
  const height = top + Math.max(1, input.labels.length) * rowHeight + 20;
  const plotWidth = width - left - right;
  const totals = stackTotals(input.bars, input.labels.length);
  const scale = niceScale(Math.max(0, ...totals));
  const x = (value: number) => at(left + (value / scale.max) * plotWidth);
  const axisY = top + input.labels.length * rowHeight;

  const ticks = scale.ticks.map(
    (
      tick,
    ) => html`<line x1="${x(tick)}" y1="${top}" x2="${x(tick)}" y2="${axisY}" stroke="${tick === 0 ? AXIS_COLOR : GRID_COLOR}"/>
<text x="${x(tick)}" y="${axisY + 14}" text-anchor="middle" fill="${TEXT_COLOR}">${tick}</text>`,
  );
  const rows = input.labels.map((label, index) => {
    const rowY = top + index * rowHeight;
    let stacked = 0;
    const rects = input.bars.map((series) => {
      const value = series.values[index] ?? 0;
      if (value <= 0) return "";
      const start = x(stacked);
      stacked += value;
      return html`<rect x="${start}" y="${rowY + 4}" width="${at(x(stacked) - start)}" height="${rowHeight - 8}" fill="${series.color}" data-series="${series.key}" data-value="${value}"/>`;
    });
    const total = totals[index] ?? 0;
    const summary = `${label}: ${input.bars.map((series) => `${series.values[index] ?? 0} ${series.label}`).join(", ")}`;
    return html`<g class="bar-row" data-label="${label}" data-total="${total}"><title>${summary}</title>
<text x="${left - 8}" y="${rowY + rowHeight / 2 + 4}" text-anchor="end" fill="#1d232a">${label}</text>${rects}
<text x="${x(total) + 6}" y="${rowY + rowHeight / 2 + 4}" fill="${TEXT_COLOR}">${total}</text></g>`;
  });
  const emptyNote =
    input.labels.length === 0
      ? html`<text class="chart-empty" x="${width / 2}" y="${top + 16}" text-anchor="middle" fill="${TEXT_COLOR}">${input.emptyText ?? "Nothing to show"}</text>`
      : "";
  return html`${svgOpen(input.id, input.title, input.description, width, height)}
${legend(input.bars, left)}
<g class="grid">${ticks}</g>
<g class="bars">${rows}</g>
${emptyNote}
</svg>`;
}
