// `npm start`: finds PostgreSQL and Redis (or starts an embedded PostgreSQL and a redis-server of its own,
// see local-services/), prepares the database (creates it if missing, applies pending migrations), then
// runs the api and one dispatcher together. Ctrl-C or SIGTERM stops both apps gracefully, then whatever
// servers this started.
import { spawn } from "node:child_process";
import path from "node:path";
import { ensureDatabase, migrateDatabase } from "@hookrelay/db";
import { appArguments } from "./app-command.js";
import { LocalServiceError, startLocalServices } from "./local-services/index.js";

const root = path.resolve(import.meta.dirname, "..");

/** @type {Array<import("node:child_process").ChildProcess>} */
let children = [];
let stopping = false;
function stopAll() {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
}
// Registered first, so a signal during the preparation below also ends in a clean stop.
process.on("SIGINT", stopAll);
process.on("SIGTERM", stopAll);

function fail(message) {
  process.stderr.write(`hookrelay: ${message}\n`);
  process.exit(1);
}

let services;
try {
  services = await startLocalServices({
    // Our own process group: a terminal's Ctrl-C reaches the apps and us, and we stop the servers last.
    detached: true,
    log: (line) => process.stdout.write(`hookrelay: ${line}\n`),
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
  if (stopping) process.exit(0);
  fail(
    `cannot prepare PostgreSQL at ${where} (${error.code ?? error.message.split("\n")[0]}). ` +
      "Check DATABASE_URL, or unset it to use the local PostgreSQL (an embedded one when none answers).",
  );
}

if (!stopping) {
  const env = { ...process.env, DATABASE_URL: databaseUrl, REDIS_URL: redisUrl };
  children = ["api", "dispatcher"].map((app) =>
    spawn(process.execPath, appArguments(app), {
      cwd: root,
      env,
      stdio: "inherit",
    }),
  );
}

let exitCode = 0;
await Promise.all(
  children.map(
    (child) =>
      new Promise((resolve) =>
        child.on("exit", (code) => {
          // One process ending on its own takes the other down with it: half a service is no service.
          if (!stopping && code !== 0) exitCode = code ?? 1;
          stopAll();
          resolve();
        }),
      ),
  ),
);
// The apps are gone (they finish their in-flight work first): now the servers they were using.
await services.stop();
process.exit(exitCode);
