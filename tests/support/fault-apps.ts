import { freePort, type RunningProcess, startApp } from "./processes.js";

export interface AppProcess {
  name: string;
  /** Its HTTP port: the api's, or the dispatcher's /readyz and /metrics. */
  port: number;
  run: RunningProcess;
}

/**
 * The built api and dispatchers (`apps/*\/dist/main.js`) as real processes that a fault test starts, kills
 * and restarts. Every process gets `env` (DATABASE_URL, REDIS_URL, QUEUE_PREFIX, timings, …).
 */
export class HookrelayProcesses {
  api: AppProcess | undefined;
  /** The dispatchers started and not yet stopped. */
  dispatchers: AppProcess[] = [];
  readonly #all: AppProcess[] = [];
  #apiPort: number | undefined;
  #started = 0;

  constructor(readonly env: Record<string, string>) {}

  get apiUrl(): string {
    if (this.#apiPort === undefined) throw new Error("the api was never started");
    return `http://127.0.0.1:${this.#apiPort}`;
  }

  /** Starts the api (on the port of the previous one, if any) and waits until /readyz answers 200. */
  async startApi(): Promise<AppProcess> {
    this.#apiPort ??= await freePort();
    const app = this.#start("api", this.#apiPort, { PORT: String(this.#apiPort) });
    this.api = app;
    await waitReady(app);
    return app;
  }

  /** Starts one more dispatcher and waits until its /readyz answers 200. */
  async startDispatcher(): Promise<AppProcess> {
    const port = await freePort();
    const app = this.#start("dispatcher", port, { DISPATCHER_PORT: String(port) });
    this.dispatchers.push(app);
    await waitReady(app);
    return app;
  }

  /** Sends `signal` and waits for the exit; resolves with the exit code (null when killed by a signal). */
  async stop(app: AppProcess, signal: NodeJS.Signals): Promise<number | null> {
    this.dispatchers = this.dispatchers.filter((one) => one !== app);
    if (this.api === app) this.api = undefined;
    if (app.run.child.exitCode === null && app.run.child.signalCode === null) app.run.child.kill(signal);
    return app.run.exited;
  }

  /** Kills whatever still runs. */
  async stopAll(): Promise<void> {
    for (const app of this.#all)
      if (app.run.child.exitCode === null && app.run.child.signalCode === null) app.run.child.kill("SIGKILL");
    await Promise.all(this.#all.map((app) => app.run.exited));
    this.dispatchers = [];
    this.api = undefined;
  }

  /**
   * Jobs (delivery ids) whose lock a dispatcher could not renew: it was too starved to renew it within
   * STALLED_JOB_TIMEOUT, so another dispatcher may have taken the job over while it was still running.
   * Read from BullMQ's "could not renew lock for job …" errors, which the dispatcher logs at warn.
   */
  lostJobLocks(): Set<string> {
    const ids = new Set<string>();
    for (const app of this.#all)
      for (const match of app.run.output().matchAll(/could not renew lock for job (\S+?)"/g))
        if (match[1]) ids.add(match[1]);
    return ids;
  }

  /** The end of every process's output, for a failure's message. */
  logs(maxPerProcess = 2_000): string {
    return this.#all
      .map((app) => {
        const output = app.run.output().trim();
        return output ? `--- ${app.name} (pid ${app.run.child.pid}):\n${output.slice(-maxPerProcess)}` : "";
      })
      .filter(Boolean)
      .join("\n");
  }

  #start(kind: "api" | "dispatcher", port: number, extra: Record<string, string>): AppProcess {
    const run = startApp(kind, { ...this.env, ...extra });
    const app = { name: `${kind} #${++this.#started}`, port, run };
    this.#all.push(app);
    return app;
  }
}

async function waitReady(app: AppProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (app.run.child.exitCode !== null || app.run.child.signalCode !== null) {
      throw new Error(`${app.name} exited while starting:\n${app.run.output().slice(-2_000)}`);
    }
    const status = await fetch(`http://127.0.0.1:${app.port}/readyz`, { signal: AbortSignal.timeout(2_000) })
      .then((response) => response.status)
      .catch(() => 0);
    if (status === 200) return;
    if (Date.now() > deadline)
      throw new Error(`${app.name} not ready in ${timeoutMs} ms:\n${app.run.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
