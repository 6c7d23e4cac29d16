// `--scenario filters`, first part: the fan-out decision alone, in this process, for 25 webhooks without a
// payload filter and for 25 with one (all accepting, so both create 25 deliveries): what a filter adds per
// event — parsing the event's data once, then each compiled filter — with nothing else measured.
import { compilePayloadFilter, matchesEventType } from "@hookrelay/shared";

/** A realistic filter: three conditions, one of them an $or, all true for the bench's events. */
export const BENCH_FILTER = {
  event_type: { $prefix: "bench." },
  "data.n": { $gte: 0 },
  $or: [{ "data.kind": { $in: ["order", "invoice"] } }, { "data.padding": { $exists: true } }],
};

const WEBHOOKS = 25;
const EVENTS = 200_000;

function fanOut(targets, eventType, dataJson, filtered) {
  let envelope;
  let count = 0;
  for (const target of targets) {
    if (!matchesEventType(target.eventTypes, eventType)) continue;
    if (filtered) {
      envelope ??= {
        event_id: "evt_x",
        event_type: eventType,
        created_at: "",
        project_id: "proj_x",
        data: JSON.parse(dataJson),
      };
      if (!target.matches(envelope)) continue;
    }
    count += 1;
  }
  return count;
}

function measure(filtered) {
  const targets = Array.from({ length: WEBHOOKS }, () => ({
    eventTypes: ["bench.*"],
    matches: filtered ? compilePayloadFilter(BENCH_FILTER) : null,
  }));
  const bodies = Array.from({ length: 64 }, (_, n) =>
    JSON.stringify({ n, kind: n % 2 ? "order" : "invoice", padding: "x".repeat(200) }),
  );
  let deliveries = 0;
  for (let i = 0; i < 20_000; i++) deliveries += fanOut(targets, "bench.event", bodies[i % 64], filtered);
  deliveries = 0;
  const started = process.hrtime.bigint();
  for (let i = 0; i < EVENTS; i++) deliveries += fanOut(targets, "bench.event", bodies[i % 64], filtered);
  const ns = Number(process.hrtime.bigint() - started) / EVENTS;
  if (deliveries !== EVENTS * WEBHOOKS) throw new Error(`expected every event to match: ${deliveries}`);
  return ns;
}

/** ns per event for the fan-out decision, unfiltered and filtered, measured alternately (3 rounds each). */
export function runFilterCost() {
  const rounds = [];
  for (let round = 0; round < 3; round++)
    rounds.push({ unfiltered: measure(false), filtered: measure(true) });
  const best = (key) => Math.min(...rounds.map((round) => round[key]));
  return {
    webhooks: WEBHOOKS,
    events: EVENTS,
    unfilteredNs: best("unfiltered"),
    filteredNs: best("filtered"),
  };
}

export function filterCostTable(cost) {
  const us = (ns) => (ns / 1000).toFixed(2);
  return [
    `Fan-out decision per event, ${cost.webhooks} webhooks, best of 3 rounds of ${cost.events.toLocaleString("en")} events (in-process):`,
    "",
    "| | µs per event | per webhook |",
    "|---|---|---|",
    `| 25 unfiltered | ${us(cost.unfilteredNs)} | ${(cost.unfilteredNs / cost.webhooks).toFixed(0)} ns |`,
    `| 25 filtered (3 conditions each, data parsed once) | ${us(cost.filteredNs)} | ${(cost.filteredNs / cost.webhooks).toFixed(0)} ns |`,
    `| filtered − unfiltered | ${us(cost.filteredNs - cost.unfilteredNs)} | |`,
  ].join("\n");
}
