// `npm start`: prepares PostgreSQL (creates the database if missing, applies pending migrations), then runs
// the api and one dispatcher together. Stopping it (Ctrl-C, SIGTERM) stops both gracefully.
import { spawn } from "node:child_process";
import path from "node:path";
import { ensureDatabase, migrateDatabase } from "@hookrelay/db";
import { DEFAULT_DATABASE_URL } from "@hookrelay/shared";

const root = path.resolve(import.meta.dirname, "..");
const databaseUrl = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
const where = new URL(databaseUrl).host;

function fail(message) {
  process.stderr.write(`hookrelay: ${message}\n`);
  process.exit(1);
}

try {
  if (await ensureDatabase(databaseUrl)) process.stdout.write(`hookrelay: created database on ${where}\n`);
  await migrateDatabase(databaseUrl);
} catch (error) {
  fail(
    `cannot prepare PostgreSQL at ${where} (${error.code ?? error.message.split("\n")[0]}). ` +
      "Start PostgreSQL (apt-get install postgresql, or docker compose up -d postgres) or set DATABASE_URL.",
  );
}

const env = { ...process.env, DATABASE_URL: databaseUrl };
const children = ["api", "dispatcher"].map((app) =>
  spawn(process.execPath, [path.join(root, "apps", app, "dist", "main.js")], {
    cwd: root,
    env,
    stdio: "inherit",
  }),
);

let stopping = false;
function stopAll(signal) {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill(signal);
}
process.on("SIGINT", () => stopAll("SIGTERM"));
process.on("SIGTERM", () => stopAll("SIGTERM"));

let exitCode = 0;
await Promise.all(
  children.map(
    (child) =>
      new Promise((resolve) =>
        child.on("exit", (code) => {
          // One process ending on its own takes the other down with it: half a service is no service.
          if (!stopping && code !== 0) exitCode = code ?? 1;
          stopAll("SIGTERM");
          resolve();
        }),
      ),
  ),
);
process.exit(exitCode);
