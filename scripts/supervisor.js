// Keeps `npm start`'s apps running: an app that dies on its own (a crash, the kernel's OOM killer, a
// `kill`) is started again after a back-off, and the other app keeps serving meanwhile. Stopping (Ctrl-C,
// SIGTERM) ends them all gracefully and restarts nothing. `npm run dev` also restarts an app at once when
// its code changed (`restart`).

/** Back-off between restarts of one app: doubles from the first delay up to the last. */
export const RESTART_BACKOFF = { firstMs: 1_000, maxMs: 30_000 };
/** An app that ran at least this long before dying had recovered: its next restart waits the first delay again. */
export const STABLE_RUN_MS = 60_000;
/**
 * An app whose first run ends with an exit code within this time did not start (bad configuration: one
 * line naming the variable, exit 1). Restarting it would repeat the same line forever, so everything stops
 * instead, with its exit code. A first run ended by a signal is a crash like any other and is restarted.
 */
export const START_WINDOW_MS = 10_000;
/** How long an app may take to stop after SIGTERM before it is killed (the apps allow themselves 10 s). */
export const STOP_TIMEOUT_MS = 30_000;

/**
 * The delay before the next restart.
 * @param {number | undefined} previousMs the delay before the last restart (undefined: none yet)
 * @param {number} ranMs how long the run that just ended lasted
 */
export function nextRestartDelay(previousMs, ranMs) {
  if (previousMs === undefined || ranMs >= STABLE_RUN_MS) return RESTART_BACKOFF.firstMs;
  return Math.min(previousMs * 2, RESTART_BACKOFF.maxMs);
}

/** @param {number | null} code @param {NodeJS.Signals | null} signal */
function describeExit(code, signal) {
  return signal ? `signal ${signal}` : `code ${code}`;
}

/**
 * @typedef {object} SupervisedApp
 * @property {string} name
 * @property {() => import("node:child_process").ChildProcess} start spawns one run of the app
 */

/**
 * Starts every app and keeps it running until `stop()`.
 * @param {SupervisedApp[]} apps
 * @param {{ log: (line: string) => void, now?: () => number }} options
 * @returns {{ stop: () => Promise<void>, failed: Promise<number>, restart: (name: string, why: string) => void }}
 *   `stop` ends every app (SIGTERM, then SIGKILL after STOP_TIMEOUT_MS) and resolves once all have exited;
 *   `failed` resolves with an exit code if an app could not start (see START_WINDOW_MS), after the others
 *   were stopped; `restart` stops one app gracefully and starts it again at once, without back-off.
 */
export function supervise(apps, { log, now = Date.now }) {
  let stopping = false;
  /** @type {(code: number) => void} */
  let reportFailure = () => undefined;
  const failed = new Promise((resolve) => {
    reportFailure = resolve;
  });

  const runs = apps.map((app) => {
    const state = {
      app,
      /** @type {import("node:child_process").ChildProcess | undefined} */
      child: undefined,
      /** @type {Promise<void>} resolves when the current run has exited */
      exited: Promise.resolve(),
      /** @type {NodeJS.Timeout | undefined} */
      restartTimer: undefined,
      /** @type {number | undefined} */
      delayMs: undefined,
      firstRun: true,
      /** @type {string | undefined} why `restart` stopped the current run: it starts again when it ends */
      restartReason: undefined,
    };

    const startRun = () => {
      state.restartTimer = undefined;
      if (stopping) return;
      const startedAt = now();
      const child = app.start();
      state.child = child;
      log(`${app.name} started (pid ${child.pid})`);
      state.exited = new Promise((resolve) => {
        let ended = false;
        /** @param {number | null} code @param {NodeJS.Signals | null} signal */
        const onEnd = (code, signal) => {
          if (ended) return;
          ended = true;
          state.child = undefined;
          resolve();
          if (stopping) return;
          if (state.restartReason !== undefined) {
            log(`${app.name} restarting: ${state.restartReason}`);
            state.restartReason = undefined;
            startRun();
            return;
          }
          const ranMs = now() - startedAt;
          if (state.firstRun && signal === null && ranMs < START_WINDOW_MS) {
            log(`${app.name} exited at start (${describeExit(code, signal)}); stopping`);
            void stop().then(() => reportFailure(code || 1));
            return;
          }
          state.firstRun = false;
          state.delayMs = nextRestartDelay(state.delayMs, ranMs);
          const at = new Date(now() + state.delayMs).toISOString();
          log(
            `${app.name} exited (${describeExit(code, signal)}) after ${Math.round(ranMs / 1000)} s; ` +
              `restarting it in ${state.delayMs / 1000} s (at ${at})`,
          );
          state.restartTimer = setTimeout(startRun, state.delayMs);
        };
        child.once("exit", onEnd);
        // Could not be spawned at all (no exit event follows).
        child.once("error", (error) => {
          if (child.pid === undefined) {
            log(`${app.name} could not be started: ${error.message}`);
            onEnd(1, null);
          }
        });
      });
    };

    return { state, startRun };
  });

  /** SIGTERM, then SIGKILL if it has not exited after STOP_TIMEOUT_MS; resolves once it has exited. */
  async function terminate(state) {
    const child = state.child;
    if (!child) return;
    child.kill("SIGTERM");
    const kill = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
    await state.exited;
    clearTimeout(kill);
  }

  /** @param {string} name @param {string} why */
  function restart(name, why) {
    const run = runs.find(({ state }) => state.app.name === name);
    if (!run || stopping) return;
    const { state, startRun } = run;
    // A deliberate restart: not a failed start, and whatever back-off was building up starts over.
    state.firstRun = false;
    state.delayMs = undefined;
    if (state.child) {
      if (state.restartReason === undefined) {
        state.restartReason = why;
        void terminate(state);
      }
    } else if (state.restartTimer) {
      clearTimeout(state.restartTimer);
      log(`${name} restarting now: ${why}`);
      startRun();
    }
  }

  /** @type {Promise<void> | undefined} */
  let stopped;
  function stop() {
    stopped ??= stopAll();
    return stopped;
  }
  async function stopAll() {
    stopping = true;
    await Promise.all(
      runs.map(async ({ state }) => {
        clearTimeout(state.restartTimer);
        await terminate(state);
      }),
    );
  }

  for (const { startRun } of runs) startRun();
  return { stop, failed, restart };
}
