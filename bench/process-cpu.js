// CPU time of what a bench run uses, read from /proc: one process by pid (the run's api, dispatchers and
// redis-servers), the PostgreSQL backends serving the run's database, and the whole machine.
import { readFileSync } from "node:fs";
import pg from "pg";

export const CLOCK_TICKS = 100; // USER_HZ on Linux: /proc/<pid>/stat times are in 1/100 s

/** CPU seconds, current/peak RSS (MB) and start time (ticks since boot) of a process, from /proc. */
export function processUsage(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (name) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
    return {
      cpuSeconds,
      rssMb: kb("VmRSS") / 1024,
      peakRssMb: kb("VmHWM") / 1024,
      startTicks: Number(fields[19]),
    };
  } catch {
    return undefined;
  }
}

/** CPU seconds of `pids` together, so far (a process that is gone counts 0). */
export function processesCpu(pids) {
  return pids.reduce((sum, pid) => sum + (processUsage(pid)?.cpuSeconds ?? 0), 0);
}

/** Busy CPU seconds of the whole machine (every process: PostgreSQL, Redis, the load generator too). */
export function machineBusySeconds() {
  const [, ...ticks] = readFileSync("/proc/stat", "utf8").split("\n", 1)[0].trim().split(/\s+/).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = ticks;
  return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS;
}

/** The application_name of the bench's own connections, which the PostgreSQL meter leaves out. */
export const BENCH_APPLICATION_NAME = "hookrelay-bench";

/** `url` with the bench's application_name, so its own queries (counting, seeding) are not measured. */
export function benchConnectionUrl(url) {
  const marked = new URL(url);
  marked.searchParams.set("application_name", BENCH_APPLICATION_NAME);
  return marked.toString();
}

// The server's own writers: they work for every database on the server, so they are reported apart.
const SHARED_WRITERS = ["walwriter", "checkpointer", "background writer"];

/**
 * CPU of PostgreSQL for one database: its backends (pg_stat_activity, autovacuum workers included, the
 * bench's own connections left out) and, apart, the server's WAL writer, checkpointer and background writer,
 * which also work for any other database of the server. Pools open and close backends, so `refresh` (the
 * bench's sampler calls it every 500 ms) adds new ones, and a backend that has exited keeps its last
 * reading: `cpuSeconds()` is a running total whose differences are what a phase cost.
 */
export function postgresCpu(serverUrl, database) {
  const meter = new pg.Client({ connectionString: benchConnectionUrl(serverUrl) });
  const connected = meter.connect();
  const seen = new Map();
  const read = (entry) => {
    const usage = processUsage(entry.pid);
    // A pid reused by another process is not the backend it was.
    if (usage && usage.startTicks === entry.startTicks) entry.cpuSeconds = usage.cpuSeconds;
  };
  return {
    async refresh() {
      await connected;
      const { rows } = await meter.query(
        `SELECT pid, backend_type FROM pg_stat_activity
         WHERE (datname = $1 AND application_name <> $2) OR backend_type = ANY($3)`,
        [database, BENCH_APPLICATION_NAME, SHARED_WRITERS],
      );
      for (const { pid, backend_type: type } of rows) {
        const usage = processUsage(pid);
        const key = `${pid}:${usage?.startTicks}`;
        if (!usage || seen.has(key)) continue;
        seen.set(key, {
          pid,
          startTicks: usage.startTicks,
          cpuSeconds: 0,
          shared: SHARED_WRITERS.includes(type),
        });
        read(seen.get(key));
      }
    },
    /** CPU seconds so far: `backends` of the database, `shared` writers of the server. */
    cpuSeconds() {
      let backends = 0;
      let shared = 0;
      for (const entry of seen.values()) {
        read(entry);
        if (entry.shared) shared += entry.cpuSeconds;
        else backends += entry.cpuSeconds;
      }
      return { backends, shared };
    },
    close: () => meter.end().catch(() => undefined),
  };
}
