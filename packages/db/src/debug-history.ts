import { Debug as clientDebug } from "@prisma/client/runtime/client";
import { clearLogs } from "@prisma/debug";

// Prisma keeps the arguments of its last 100 debug calls, even with debugging off, to put them in crash
// reports: one history in @prisma/debug (the pg adapter logs each statement with its parameters) and one
// in its client runtime's bundled copy. Those arguments are whole statements' parameters, so they held the
// data and envelopes of the last inserts of events: 75 MB after a few hundred 250 KB events, and several
// times that once group commit puts many large events in one insert — past the apps' 192 MB heap (found
// with a heap snapshot). So the histories are dropped soon after an insert of events and every second
// otherwise: @prisma/debug has clearLogs(); the runtime's copy exposes no such call, so 100 tiny entries
// push its old ones out (0.3 ms).
const HISTORY_LENGTH = 100;
const AFTER_INSERT_MS = 50;
const PERIOD_MS = 1_000;

const runtimeHistory = clientDebug("hookrelay:release-debug-history");
let soon: NodeJS.Timeout | undefined;
let periodic: NodeJS.Timeout | undefined;

function releaseDebugHistories(): void {
  clearTimeout(soon);
  soon = undefined;
  // Someone is debugging Prisma (DEBUG=prisma*): keep its history and print nothing extra.
  if (runtimeHistory.enabled) return;
  clearLogs();
  for (let entry = 0; entry < HISTORY_LENGTH; entry++) runtimeHistory("-");
}

/** Drops Prisma's debug histories shortly (a large insert just went through it). */
export function releaseDebugHistoriesSoon(): void {
  soon ??= setTimeout(releaseDebugHistories, AFTER_INSERT_MS);
  soon.unref();
}

/** Drops them every second for as long as the process runs (started with the first client). */
export function releaseDebugHistoriesPeriodically(): void {
  periodic ??= setInterval(releaseDebugHistories, PERIOD_MS);
  periodic.unref();
}
