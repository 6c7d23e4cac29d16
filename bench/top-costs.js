// `node bench/top-costs.js <file.cpuprofile> [n]`: the functions with the most self time in a V8 CPU
// profile, grouped by function and file, as a quick "where does the time go" table.
import { readFileSync } from "node:fs";

const [file, count = "15"] = process.argv.slice(2);
if (!file) throw new Error("usage: node bench/top-costs.js <file.cpuprofile> [n]");
const profile = JSON.parse(readFileSync(file, "utf8"));
const selfTime = new Map();
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const intervals = profile.timeDeltas;
profile.samples.forEach((id, index) => {
  const node = byId.get(id);
  const { functionName, url, lineNumber } = node.callFrame;
  const short = url.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*\/(apps|packages)\//, "$1/");
  const key = `${functionName || "(anonymous)"} ${short}:${lineNumber + 1}`;
  selfTime.set(key, (selfTime.get(key) ?? 0) + (intervals[index] ?? 0));
});
const total = [...selfTime.values()].reduce((a, b) => a + b, 0);
const rows = [...selfTime.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(count));
for (const [key, micros] of rows) {
  process.stdout.write(
    `${((micros / total) * 100).toFixed(1).padStart(5)}%  ${(micros / 1000).toFixed(0).padStart(6)} ms  ${key}\n`,
  );
}
