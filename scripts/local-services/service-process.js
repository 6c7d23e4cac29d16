// A server process (postgres, redis-server) that start.js or the test setup owns: its output goes to a log
// file under the data folder, and it is stopped on request or, as a last resort, when this process exits.
import { spawn } from "node:child_process";
import { open, readFile } from "node:fs/promises";

/** A problem the operator can fix: its message is shown as it is, without a stack trace. */
export class LocalServiceError extends Error {
  name = "LocalServiceError";
}

/**
 * @typedef {object} ServiceProcess
 * @property {import("node:child_process").ChildProcess} child
 * @property {() => boolean} running
 * @property {() => Promise<string>} logTail the last lines of its log, to explain a failed start
 * @property {() => Promise<void>} stop
 */

/**
 * @param {object} options
 * @param {string} options.command
 * @param {string[]} options.args
 * @param {string} options.logFile truncated at each start
 * @param {Array<[NodeJS.Signals, number]>} options.stopSignals signals tried in turn, each with its grace (ms)
 * @param {boolean} [options.detached] own process group: a terminal's Ctrl-C then reaches only our process,
 *   which stops this server after the apps that use it
 * @param {{ uid?: number, gid?: number }} [options.user]
 * @param {NodeJS.ProcessEnv} [options.env]
 * @returns {Promise<ServiceProcess>}
 */
export async function startServiceProcess({
  command,
  args,
  logFile,
  stopSignals,
  detached = false,
  user,
  env,
}) {
  const log = await open(logFile, "w");
  const child = spawn(command, args, {
    stdio: ["ignore", log.fd, log.fd],
    detached,
    env: env ?? process.env,
    ...user,
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  // Spawn errors (e.g. ENOENT) arrive as an exit without a code; the log tail then explains.
  child.once("error", () => undefined);
  await log.close();
  const running = () => child.exitCode === null && child.signalCode === null && child.pid !== undefined;

  const [firstSignal] = stopSignals[0] ?? ["SIGTERM"];
  const onExit = () => {
    if (running()) child.kill(firstSignal);
  };
  process.on("exit", onExit);

  return {
    child,
    running,
    logTail: async () => {
      const text = await readFile(logFile, "utf8").catch(() => "");
      return text.trim().split("\n").slice(-5).join("\n");
    },
    stop: async () => {
      process.off("exit", onExit);
      for (const [signal, graceMs] of stopSignals) {
        if (!running()) break;
        child.kill(signal);
        let timer;
        await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
        clearTimeout(timer);
      }
    },
  };
}

/**
 * Polls `ready` until it resolves true, bounded by `timeoutMs`; fails at once when the service exits.
 * @param {ServiceProcess} service
 * @param {() => Promise<boolean>} ready
 * @param {string} what
 */
export async function waitUntilReady(service, ready, what, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!service.running()) {
      throw new LocalServiceError(`${what} exited at start:\n${await service.logTail()}`);
    }
    if (await ready().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await service.stop();
  throw new LocalServiceError(
    `${what} did not become ready in ${timeoutMs / 1000} s:\n${await service.logTail()}`,
  );
}
