// `npm start`: finds PostgreSQL and Redis (or starts an embedded PostgreSQL and a redis-server of its own,
// see local-services/), prepares the database (creates it if missing, applies pending migrations), then
// runs the api and one dispatcher together, restarting either one that dies on its own (supervisor.js),
// and prints one banner once both are ready (start-banner.js). Ctrl-C or SIGTERM stops both apps
// gracefully, then whatever servers this started.
// `--watch` (`npm run dev`, see dev.js): an app is also restarted as soon as its built code changes.
import { spawn } from "node:child_process";
import path from "node:path";
import { ensureDatabase, migrateDatabase } from "@hookrelay/db";
import { appArguments, appCodeDirs } from "./app-command.js";
import { watchCode } from "./code-watch.js";
import { LocalServiceError, startLocalServices } from "./local-services/index.js";
import { startBanner } from "./start-banner.js";
import { supervise } from "./supervisor.js";

const root = path.resolve(import.meta.dirname, "..");
const watch = process.argv.includes("--watch");
const log = (line) => process.stdout.write(`hookrelay: ${line}\n`);

/** Set once a signal asks us to stop: the apps are then stopped, or never started. */
let stopRequested = false;
/** @type {(signal: string) => void} */
let onStopSignal = () => undefined;
const stopSignal = new Promise((resolve) => {
  onStopSignal = resolve;
});
// Registered first, so a signal during the preparation below also ends in a clean stop.
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    if (stopRequested) return;
    stopRequested = true;
    onStopSignal(signal);
  });
}

function fail(message) {
  process.stderr.write(`hookrelay: ${message}\n`);
  process.exit(1);
}

let services;
try {
  services = await startLocalServices({
    // Our own process group: a terminal's Ctrl-C reaches the apps and us, and we stop the servers last.
    detached: true,
    log,
  });
} catch (error) {
  if (error instanceof LocalServiceError) fail(error.message);
  throw error;
}

const { databaseUrl, redisUrl } = services;
const where = new URL(databaseUrl).host;
try {
  if (await ensureDatabase(databaseUrl)) process.stdout.write(`hookrelay: created database on ${where}\n`);
  await migrateDatabase(databaseUrl);
} catch (error) {
  await services.stop();
  // A terminal's Ctrl-C also reaches the migration: that is a stop, not a failure.
  if (stopRequested) process.exit(0);
  fail(
    `cannot prepare PostgreSQL at ${where} (${error.code ?? error.message.split("\n")[0]}). ` +
      "Check DATABASE_URL, or unset it to use the local PostgreSQL (an embedded one when none answers).",
  );
}

let exitCode = 0;
if (!stopRequested) {
  const env = { ...process.env, DATABASE_URL: databaseUrl, REDIS_URL: redisUrl };
  const banner = startBanner({ write: (text) => process.stdout.write(text), services });
  const apps = ["api", "dispatcher"].map((name) => ({
    name,
    start: () => {
      // The IPC channel carries the apps' "listening" and generated-key messages to the banner.
      const child = spawn(process.execPath, appArguments(name), {
        cwd: root,
        env,
        stdio: ["inherit", "inherit", "inherit", "ipc"],
      });
      child.on("message", (message) =>
        banner.onMessage(name, message, (reply) => {
          if (child.connected) child.send(reply);
        }),
      );
      return child;
    },
  }));
  // Before the apps start, so that the code they start with is the reference.
  const stopWatching = watch
    ? await Promise.all(
        apps.map(({ name }) =>
          watchCode(appCodeDirs(name), () => supervisor.restart(name, "its code changed")),
        ),
      )
    : [];
  const supervisor = supervise(apps, { log });
  // Until a signal, or an app that could not start (its exit code; the other one is stopped by then).
  exitCode = await Promise.race([
    stopSignal.then(async () => {
      // The apps finish their in-flight work first.
      await supervisor.stop();
      return 0;
    }),
    supervisor.failed,
  ]);
  for (const stop of stopWatching) stop();
  banner.close();
}
// The apps are gone: now the servers they were using.
await services.stop();
process.exit(exitCode);
