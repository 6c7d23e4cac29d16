import { readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { withAdminClient } from "../support/postgres-admin.js";
import type { FaultRow } from "./harness.js";
import { formatNotes, formatTable, writeReliabilityDoc } from "./report.js";
import { dispatchersKilled } from "./scenarios/dispatchers-killed.js";
import { gracefulRestarts } from "./scenarios/graceful-restarts.js";
import { hostileReceivers } from "./scenarios/hostile-receivers.js";
import { postgresOutage } from "./scenarios/postgres-outage.js";
import { redisDataLoss } from "./scenarios/redis-data-loss.js";
import { redisFailover } from "./scenarios/redis-failover.js";

// The fault suite's scenarios and the one way they run: each starts its own servers and processes, drives
// load, injects its fault, waits (bounded) for every delivery to end, and returns its rows. The kill run
// has the machine to itself (dispatchers.fault.ts); the other scenarios, which mostly wait, run two at a
// time (backends.fault.ts). Each file adds its rows to a results file of the run; the file that completes
// the table prints it and, when every scenario ran, keeps it in docs/reliability.md.

export interface Scenario {
  name: string;
  run: (log: (line: string) => void) => Promise<FaultRow[]>;
  timeoutMs?: number;
}

// Each scenario bounds its own waits and reports what it saw; these jest timeouts only catch a hang.
const SCENARIO_TIMEOUT_MS = 150_000;

/** Every scenario, in the table's order. */
export const SCENARIOS = {
  killed: {
    name: "dispatchers SIGKILLed every few seconds during a 20,000-delivery run",
    run: dispatchersKilled,
    timeoutMs: 180_000,
  },
  redisRestart: { name: "Redis restarted empty during ingest", run: (log) => redisDataLoss("restart", log) },
  redisFlush: { name: "Redis flushed during ingest", run: (log) => redisDataLoss("flush", log) },
  postgresStop: { name: "PostgreSQL stopped under load", run: (log) => postgresOutage("stop", log) },
  postgresBlackhole: {
    name: "PostgreSQL black-holed under load",
    run: (log) => postgresOutage("blackhole", log),
  },
  receivers: {
    name: "receivers that are slow, hang, reset, answer huge bodies or loop",
    run: hostileReceivers,
  },
  restarts: { name: "api and dispatchers restarted with SIGTERM under load", run: gracefulRestarts },
  clusterFailover: {
    name: "Redis Cluster master SIGKILLed mid-run (QUEUE_SHARDS=3)",
    run: (log) => redisFailover("cluster", log),
  },
  sentinelFailover: {
    name: "Redis Sentinel master SIGKILLed mid-run (QUEUE_SHARDS=3)",
    run: (log) => redisFailover("sentinel", log),
  },
} satisfies Record<string, Scenario>;

const ORDER: string[] = Object.values(SCENARIOS).map((scenario) => scenario.name);

interface Results {
  scenarios: Record<string, FaultRow[]>;
}

/**
 * Where this run's rows gather (HOOKRELAY_TEST_RUN is set once per run by the global setup; the global
 * teardown removes the file).
 */
export function resultsFile(): string {
  return path.join(os.tmpdir(), `hookrelay-faults-${process.env.HOOKRELAY_TEST_RUN ?? "local"}.json`);
}

async function readResults(): Promise<Results> {
  try {
    return JSON.parse(await readFile(resultsFile(), "utf8")) as Results;
  } catch {
    return { scenarios: {} };
  }
}

/**
 * Defines one jest test per scenario. `concurrently`: started together, as many at once as the config's
 * maxConcurrency allows.
 */
export function faultScenarios(title: string, scenarios: Scenario[], { concurrently = false } = {}): void {
  describe(title, () => {
    const finished: Record<string, FaultRow[]> = {};
    const test = concurrently ? it.concurrent : it;

    afterAll(async () => {
      if (Object.keys(finished).length === 0) return;
      // Files run one after the other (maxWorkers 1): no two of them write at once.
      const results = await readResults();
      Object.assign(results.scenarios, finished);
      await writeFile(resultsFile(), JSON.stringify(results));
      const rows = ORDER.flatMap((name) => results.scenarios[name] ?? []);
      process.stdout.write(
        `\nhookrelay fault suite (${Object.keys(results.scenarios).length} of ${ORDER.length} scenarios so far)\n\n` +
          `${formatTable(rows)}\n\n${formatNotes(rows, { brief: true })}\n\n`,
      );
      if (!ORDER.every((name) => results.scenarios[name])) return;
      const postgres = await withAdminClient((client) => client.query("SHOW server_version")).then(
        (result) => String(result.rows[0]?.server_version ?? "?").split(" ")[0] ?? "?",
        () => "?",
      );
      const startedAt = Number(process.env.HOOKRELAY_FAULTS_STARTED_AT) || Date.now();
      await writeReliabilityDoc(rows, { wallMs: Date.now() - startedAt, postgres });
      process.stdout.write("docs/reliability.md updated\n");
    }, 30_000);

    for (const scenario of scenarios) {
      test(
        scenario.name,
        async () => {
          const log = (line: string) => process.stderr.write(`faults: ${scenario.name}: ${line}\n`);
          const started = Date.now();
          let rows: FaultRow[];
          try {
            rows = await scenario.run(log);
          } catch (error) {
            // A scenario that could not finish still gets its line in the table.
            finished[scenario.name] = [unfinished(scenario.name, error)];
            throw error;
          }
          finished[scenario.name] = rows;
          log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
          const failures = rows.flatMap((row) =>
            row.failures.map((failure) => `${row.scenario}: ${failure}`),
          );
          expect(failures).toEqual([]);
        },
        scenario.timeoutMs ?? SCENARIO_TIMEOUT_MS,
      );
    }
  });
}

function unfinished(scenario: string, error: unknown): FaultRow {
  const message = error instanceof Error ? error.message : String(error);
  return {
    scenario,
    eventsSent: 0,
    expected: 0,
    delivered: 0,
    lost: 0,
    duplicates: 0,
    duplicatesOutsideWindows: 0,
    duplicatesAfterLockLoss: 0,
    stuck: 0,
    flowingAgainMs: null,
    doneMs: null,
    notes: [],
    failures: [`did not finish: ${message.split("\n")[0]}`],
  };
}
