import type http from "node:http";
import { ConfigError } from "./config/env.js";
import { createLogger, type LogFormat, type Logger, resolveLogFormat } from "./logger.js";

/** Loads config or stops the process with one line naming the bad variable. */
export function configOrExit<T>(processName: string, load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`hookrelay ${processName}: invalid configuration: ${error.message}\n`);
    process.exit(1);
  }
}

/** Runs `shutdown` once on SIGTERM/SIGINT, then exits 0 (1 if shutting down failed). */
export function onShutdownSignal(shutdown: (signal: string) => Promise<void>): void {
  let started = false;
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.on(signal, () => {
      if (started) return;
      started = true;
      shutdown(signal).then(
        () => process.exit(0),
        (error) => {
          process.stderr.write(`shutdown failed: ${(error as Error).message}\n`);
          process.exit(1);
        },
      );
    });
  }
}

/**
 * Stops `server` gracefully: no new connections, requests in flight (including ones whose body is still
 * arriving) finish, keep-alive connections are closed as soon as they are idle. After `graceMs` the
 * remaining connections are cut, so shutdown cannot hang on a slow client.
 */
export function closeHttpServer(server: http.Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const idleSweep = setInterval(() => server.closeIdleConnections(), 100);
    const deadline = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close(() => {
      clearInterval(idleSweep);
      clearTimeout(deadline);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/**
 * The start of every hookrelay process: its config (or one line and exit 1), its logger, and the loud
 * warning when webhook secrets are protected only by the public development key.
 */
export function bootProcess<
  Config extends { logLevel: string; logFormat?: LogFormat; usingDevelopmentSecretsKey: boolean },
>(processName: string, load: () => Config): { config: Config; logger: Logger } {
  const config = configOrExit(processName, load);
  const format = resolveLogFormat(config.logFormat, process.stdout.isTTY === true);
  const logger = createLogger(processName, config.logLevel, undefined, format);
  if (config.usingDevelopmentSecretsKey) {
    logger.warn("SECRETS_KEY is not set: webhook secrets are encrypted with a public development key");
  }
  return { config, logger };
}
