// An SVG chart of one run's timeline: deliveries per second (bars, left axis) and the 202→arrival latency
// p50/p99 of each second (lines, right axis). Plain SVG, no dependencies, readable in any browser.

const WIDTH = 760;
const HEIGHT = 300;
const PAD = { left: 56, right: 56, top: 34, bottom: 36 };

const niceMax = (value) => {
  if (value <= 0) return 1;
  const step = 10 ** Math.floor(Math.log10(value));
  return Math.ceil(value / step) * step;
};

const escapeXml = (text) => String(text).replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** @param {{second: number, deliveries: number, p50: number|null, p99: number|null}[]} timeline */
export function timelineSvg(timeline, title) {
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const seconds = Math.max(1, timeline.length);
  const maxRate = niceMax(Math.max(0, ...timeline.map((t) => t.deliveries)));
  const maxLatency = niceMax(Math.max(0, ...timeline.map((t) => t.p99 ?? 0)));
  const x = (index) => PAD.left + (index / seconds) * plotWidth;
  const yRate = (value) => PAD.top + plotHeight - (value / maxRate) * plotHeight;
  const yLatency = (value) => PAD.top + plotHeight - (value / maxLatency) * plotHeight;
  const barWidth = Math.max(1, plotWidth / seconds - 1);

  const bars = timeline
    .map(
      (t, i) =>
        `<rect x="${x(i).toFixed(1)}" y="${yRate(t.deliveries).toFixed(1)}" width="${barWidth.toFixed(1)}" height="${(PAD.top + plotHeight - yRate(t.deliveries)).toFixed(1)}" fill="#9cc3e6"/>`,
    )
    .join("");
  const line = (pick, color) => {
    const points = timeline
      .map((t, i) =>
        pick(t) === null ? null : `${(x(i) + barWidth / 2).toFixed(1)},${yLatency(pick(t)).toFixed(1)}`,
      )
      .filter(Boolean)
      .join(" ");
    return `<polyline points="${points}" fill="none" stroke="${color}" stroke-width="1.5"/>`;
  };
  const ticks = [0, 0.25, 0.5, 0.75, 1]
    .map((f) => {
      const y = PAD.top + plotHeight - f * plotHeight;
      return (
        `<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y}" y2="${y}" stroke="#eee"/>` +
        `<text x="${PAD.left - 6}" y="${y + 4}" text-anchor="end">${Math.round(f * maxRate)}</text>` +
        `<text x="${WIDTH - PAD.right + 6}" y="${y + 4}">${Math.round(f * maxLatency)}</text>`
      );
    })
    .join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" font-family="sans-serif" font-size="11">
<title>${escapeXml(title)}</title>
<rect width="100%" height="100%" fill="white"/>
<text x="${PAD.left}" y="18" font-size="13" font-weight="bold">${escapeXml(title)}</text>
${ticks}${bars}${line((t) => t.p50, "#2a7a2a")}${line((t) => t.p99, "#c0392b")}
<text x="${PAD.left}" y="${HEIGHT - 8}">seconds 0–${seconds} · bars: deliveries/s (left) · lines: latency p50 (green) / p99 (red), ms (right)</text>
</svg>
`;
}
