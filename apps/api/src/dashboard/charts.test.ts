import { barList, chartTable, formatMs, niceScale, type TimeChartInput, timeChart } from "./charts.js";

/** The attributes of each element named `tag` in `svg`, in document order. */
function elements(svg: string, tag: string): Array<Record<string, string>> {
  return [...svg.matchAll(new RegExp(`<${tag}\\b([^>]*?)/?>`, "g"))].map((match) =>
    Object.fromEntries([...(match[1] ?? "").matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]])),
  );
}

const series = (key: string, values: number[]) => ({ key, label: key, color: "#123456", values });

function chart(overrides: Partial<TimeChartInput> = {}): TimeChartInput {
  return {
    id: "c",
    title: "Attempts",
    description: "Per minute",
    labels: ["10:00", "", "10:02"],
    bars: [series("ok", [0, 0, 0]), series("bad", [0, 0, 0])],
    ...overrides,
  };
}

describe("niceScale", () => {
  it("rounds up to 1, 2 or 5 × 10ⁿ steps, whole numbers at least", () => {
    expect(niceScale(0)).toEqual({ max: 1, ticks: [0, 1] });
    expect(niceScale(3)).toEqual({ max: 3, ticks: [0, 1, 2, 3] });
    expect(niceScale(7)).toEqual({ max: 8, ticks: [0, 2, 4, 6, 8] });
    expect(niceScale(100)).toEqual({ max: 100, ticks: [0, 50, 100] });
    expect(niceScale(1234).max).toBe(1500);
  });
});

describe("timeChart", () => {
  it("names itself for assistive technology and draws no bar when there is no data", () => {
    const svg = timeChart(chart({ emptyText: "No attempts" })).value;
    expect(svg).toMatch(/^<svg [^>]*role="img" aria-labelledby="c-title c-desc"/);
    expect(svg).toContain('<title id="c-title">Attempts</title>');
    expect(svg).toContain('<desc id="c-desc">Per minute</desc>');
    expect(elements(svg, "rect").filter((rect) => rect["data-series"])).toEqual([]);
    // Every bucket still has its group and tooltip.
    expect(elements(svg, "g").filter((g) => g.class === "bucket")).toHaveLength(3);
    expect(svg).toContain(">No attempts</text>");
    expect(svg).not.toContain("NaN");
    expect(svg).not.toContain("style=");
  });

  it("draws one bucket's stack on the full height of a round scale", () => {
    const svg = timeChart(
      chart({ labels: ["10:00"], bars: [series("ok", [3]), series("bad", [1])], emptyText: "none" }),
    ).value;
    const [ok, bad] = elements(svg, "rect").filter((rect) => rect["data-series"]);
    // 4 on an axis of 0…4: the stack fills the plot, ok at the bottom, bad on top of it.
    const okHeight = Number(ok?.height);
    const badHeight = Number(bad?.height);
    expect(okHeight / badHeight).toBeCloseTo(3, 1);
    expect(Number(bad?.y) + badHeight).toBeCloseTo(Number(ok?.y), 1);
    expect(svg).toContain("<title>10:00: 3 ok, 1 bad</title>");
    expect(svg).not.toContain("none</text>");
  });

  it("scales every bar to the largest stack", () => {
    const svg = timeChart(chart({ bars: [series("ok", [2, 10, 5]), series("bad", [0, 0, 5])] })).value;
    const totals = elements(svg, "g")
      .filter((g) => g.class === "bucket")
      .map((g) => Number(g["data-total"]));
    expect(totals).toEqual([2, 10, 10]);
    const heights = elements(svg, "rect")
      .filter((rect) => rect["data-series"])
      .map((rect) => Number(rect.height));
    const [two, ten, fiveOk, fiveBad] = heights as [number, number, number, number];
    expect(ten / two).toBeCloseTo(5, 1);
    expect(fiveOk + fiveBad).toBeCloseTo(ten, 1);
    // The axis tops out at 10: its label is drawn, no higher one.
    expect(svg).toContain(">10</text>");
    expect(svg).not.toContain(">12</text>");
  });

  it("draws lines with gaps where a bucket has no value, on a right axis next to bars", () => {
    const svg = timeChart(
      chart({
        bars: [series("ok", [1, 0, 1])],
        lines: [{ key: "p95", label: "p95", color: "#000", values: [100, null, 300] }],
        formatLine: formatMs,
      }),
    ).value;
    const path = elements(svg, "path")[0]?.d ?? "";
    expect(path.match(/M/g)).toHaveLength(2);
    expect(path).not.toContain("L");
    expect(elements(svg, "circle")).toHaveLength(2);
    expect(svg).toContain(">300 ms</text>");
    expect(svg).toContain("<title>10:02: 1 ok · p95 300 ms</title>");
    expect(svg).toContain("<title>: 0 ok · p95 —</title>");
  });

  it("escapes every label and name it draws", () => {
    const hostile = `<script>x</script>"&`;
    const svg = timeChart(
      chart({ title: hostile, description: hostile, labels: [hostile], bars: [series(hostile, [1])] }),
    ).value;
    expect(svg).not.toContain("<script>");
    expect(svg).toContain("&lt;script&gt;x&lt;/script&gt;&quot;&amp;");
    const table = chartTable(chart({ labels: [hostile], bars: [series(hostile, [1])] })).value;
    expect(table).not.toContain("<script>");
  });
});

describe("chartTable", () => {
  it("lists every bucket with its numbers", () => {
    const table = chartTable(
      chart({
        names: ["a", "b", "c"],
        bars: [series("ok", [1, 2, 3])],
        lines: [{ key: "p50", label: "p50", color: "#000", values: [null, 10, 20] }],
        formatLine: formatMs,
      }),
    ).value;
    expect(table).toContain(
      '<tr><th scope="row">b</th><td class="num">2</td><td class="num">10 ms</td></tr>',
    );
    expect(table).toContain('<tr><th scope="row">a</th><td class="num">1</td><td class="num">—</td></tr>');
  });
});

describe("barList", () => {
  it("draws one row per label, scaled to the largest total", () => {
    const svg = barList({
      id: "q",
      title: "Jobs",
      description: "Per queue",
      labels: ["deliveries-0", "maintenance"],
      bars: [series("waiting", [8, 0]), series("delayed", [2, 1])],
    }).value;
    const rows = elements(svg, "g").filter((g) => g.class === "bar-row");
    expect(rows.map((row) => [row["data-label"], row["data-total"]])).toEqual([
      ["deliveries-0", "10"],
      ["maintenance", "1"],
    ]);
    const widths = elements(svg, "rect")
      .filter((rect) => rect["data-value"])
      .map((rect) => Number(rect.width));
    const [waiting, delayed, delayedOnly] = widths as [number, number, number];
    expect(waiting / delayed).toBeCloseTo(4, 1);
    expect(delayed / delayedOnly).toBeCloseTo(2, 1);
  });

  it("says so when there is no row", () => {
    const svg = barList({
      id: "q",
      title: "Jobs",
      description: "None",
      labels: [],
      bars: [],
      emptyText: "No queues",
    }).value;
    expect(svg).toContain(">No queues</text>");
  });
});

describe("formatMs", () => {
  it("reads as ms below a second, then seconds", () => {
    expect(formatMs(12.4)).toBe("12 ms");
    expect(formatMs(1_250)).toBe("1.3 s");
    expect(formatMs(42_000)).toBe("42 s");
  });
});
