export interface Scrape {
  status: number;
  contentType: string;
  text: string;
  /** The sample with exactly these labels, or undefined when absent. */
  value: (name: string, labels?: Record<string, string>) => number | undefined;
}

function parseLabels(raw: string | undefined): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const match of (raw ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
    labels[match[1] ?? ""] = match[2] ?? "";
  return labels;
}

/** GET `<baseUrl>/metrics`, parsed from the Prometheus text format. */
export async function scrape(baseUrl: string): Promise<Scrape> {
  const response = await fetch(`${baseUrl}/metrics`);
  const text = await response.text();
  const samples = text
    .split("\n")
    .filter((line) => line && !line.startsWith("#"))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
      return { name: match[1], labels: parseLabels(match[2]), value: Number(match[3]) };
    });
  return {
    status: response.status,
    contentType: response.headers.get("content-type") ?? "",
    text,
    value(name, labels = {}) {
      const wanted = JSON.stringify(Object.entries(labels).sort());
      return samples.find(
        (sample) => sample.name === name && JSON.stringify(Object.entries(sample.labels).sort()) === wanted,
      )?.value;
    },
  };
}
