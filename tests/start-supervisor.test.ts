import { readFile } from "node:fs/promises";
import path from "node:path";
import { nextRestartDelay, RESTART_BACKOFF, STABLE_RUN_MS } from "../scripts/supervisor.js";
import { createTestDatabase, type TestDatabase } from "./support/database.js";
import { freePort, type RunningProcess, startScript } from "./support/processes.js";
import { eventually } from "./support/receiver.js";

const root = path.resolve(import.meta.dirname, "..");

async function isAlive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);
  // A zombie has exited; only its parent's bookkeeping is left.
  return stat !== undefined && stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
}

async function healthy(port: number): Promise<boolean> {
  const response = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
  return response?.status === 200;
}

async function ready(port: number): Promise<boolean> {
  const response = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
  await response?.body?.cancel();
  return response?.status === 200;
}

/** The pids `npm start` logged for `app`, in start order. */
function startedPids(output: string, app: "api" | "dispatcher"): number[] {
  return [...output.matchAll(new RegExp(`^hookrelay: ${app} started \\(pid (\\d+)\\)$`, "gm"))].map((match) =>
    Number(match[1]),
  );
}

describe("restart back-off", () => {
  it("doubles from 1 s to 30 s and starts over after a stable run", () => {
    const delays: number[] = [];
    let delay: number | undefined;
    for (let crash = 0; crash < 7; crash++) {
      delay = nextRestartDelay(delay, 500);
      delays.push(delay);
    }
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
    expect(RESTART_BACKOFF).toEqual({ firstMs: 1_000, maxMs: 30_000 });
    expect(nextRestartDelay(30_000, STABLE_RUN_MS)).toBe(1_000);
    expect(nextRestartDelay(30_000, STABLE_RUN_MS - 1)).toBe(30_000);
  });
});

// `npm start` (scripts/start.js) against the test's PostgreSQL and Redis: an app that dies on its own is
// started again while the other keeps serving; SIGTERM still stops everything.
describe("npm start supervision", () => {
  let database: TestDatabase;
  let start: RunningProcess | undefined;
  const pids: number[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    if (start?.child.exitCode === null) start.child.kill("SIGKILL");
    for (const pid of pids) if (await isAlive(pid)) process.kill(pid, "SIGKILL");
    await database?.drop();
  });

  it("restarts the api after it is killed, keeps the dispatcher up, and stops both on SIGTERM", async () => {
    const [apiPort, dispatcherPort] = [await freePort(), await freePort()];
    start = startScript(path.join(root, "scripts", "start.js"), {
      PATH: process.env.PATH ?? "",
      DATABASE_URL: database.url,
      REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
      QUEUE_PREFIX: `hookrelay-supervisor-${apiPort}`,
      ADMIN_API_KEY: "supervisor-test-admin-key",
      LOG_LEVEL: "warn",
      PORT: String(apiPort),
      DISPATCHER_PORT: String(dispatcherPort),
    });
    const running = start;

    for (const port of [apiPort, dispatcherPort]) {
      expect(await eventually(() => healthy(port), 40_000)).toBe(true);
    }
    const [apiPid] = startedPids(running.output(), "api");
    const [dispatcherPid] = startedPids(running.output(), "dispatcher");
    if (apiPid === undefined || dispatcherPid === undefined) throw new Error(running.output());
    pids.push(apiPid, dispatcherPid);

    process.kill(apiPid, "SIGKILL");
    const restartedPid = await eventually(async () => startedPids(running.output(), "api")[1], 20_000);
    pids.push(restartedPid);
    expect(restartedPid).not.toBe(apiPid);
    expect(await isAlive(apiPid)).toBe(false);
    const exitLines = running.output().match(/^hookrelay: api exited .*$/gm);
    expect(exitLines).toHaveLength(1);
    expect(exitLines?.[0]).toMatch(
      /^hookrelay: api exited \(signal SIGKILL\) after \d+ s; restarting it in 1 s \(at \d{4}-\d\d-\d\dT[\d:.]+Z\)$/,
    );

    // The api is back on its port; the dispatcher never went away.
    expect(await eventually(() => healthy(apiPort), 20_000)).toBe(true);
    expect(startedPids(running.output(), "dispatcher")).toEqual([dispatcherPid]);
    expect(await isAlive(dispatcherPid)).toBe(true);
    expect(await healthy(dispatcherPort)).toBe(true);

    // One banner per `npm start`: the restarted api, once ready again, brings no second one.
    expect(await eventually(() => ready(apiPort), 20_000)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const banners = running.output().match(/^hookrelay is ready\n(?: {2}.*\n)+/gm);
    expect(banners).toHaveLength(1);
    expect(banners?.[0]).toContain(`  API         http://localhost:${apiPort}/v1\n`);
    expect(banners?.[0]).toContain("  Admin key   ADMIN_API_KEY, from the environment\n");
    expect(running.output()).not.toContain("supervisor-test-admin-key");

    running.child.kill("SIGTERM");
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      running.exited,
      new Promise((resolve) => {
        timer = setTimeout(resolve, 30_000, "timeout");
      }),
    ]);
    clearTimeout(timer);
    expect(code).toBe(0);
    expect(await isAlive(restartedPid)).toBe(false);
    expect(await isAlive(dispatcherPid)).toBe(false);
    // Stopping restarts nothing.
    expect(startedPids(running.output(), "api")).toHaveLength(2);
  }, 90_000);
});
