// `npm start`: finds PostgreSQL and Redis (or starts an embedded PostgreSQL and a redis-server of its own,
// see local-services/), prepares the database (creates it if missing, applies pending migrations), then
// runs the api and one dispatcher together, restarting either one that dies on its own (supervisor.js).
// Ctrl-C or SIGTERM stops both apps gracefully, then whatever servers this started.
import { spawn } from "node:child_process";
import path from "node:path";
import { ensureDatabase, migrateDatabase } from "@hookrelay/db";
import { appArguments } from "./app-command.js";
import { LocalServiceError, startLocalServices } from "./local-services/index.js";
import { supervise } from "./supervisor.js";

const root = path.resolve(import.meta.dirname, "..");
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
  const apps = ["api", "dispatcher"].map((name) => ({
    name,
    start: () => spawn(process.execPath, appArguments(name), { cwd: root, env, stdio: "inherit" }),
  }));
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
}
// The apps are gone: now the servers they were using.
await services.stop();
process.exit(exitCode);
