import { type ChildProcess, spawn } from "node:child_process";
import { readdir, readFile, readlink } from "node:fs/promises";
import net from "node:net";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");

/**
 * The kernel hands out ports of this range for `listen(0)` and for outgoing connections. `freePort` picks
 * below it: a port picked inside it can be given to another process (another test's server, an outgoing
 * connection) between the check here and the bind of the process that is handed the port.
 */
async function ephemeralPortRange(): Promise<[number, number]> {
  const text = await readFile("/proc/sys/net/ipv4/ip_local_port_range", "utf8").catch(() => "");
  const [low = Number.NaN, high = Number.NaN] = text.trim().split(/\s+/).map(Number);
  return Number.isInteger(low) && Number.isInteger(high) ? [low, high] : [32_768, 60_999];
}

function canListen(port: number): Promise<boolean> {
  const server = net.createServer();
  return new Promise((resolve) => {
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/**
 * A TCP port that was free a moment ago on 127.0.0.1, picked at random below the kernel's ephemeral range
 * so that nothing but another random pick can take it before it is used. A process that can bind port 0
 * should rather be started with `startListeningApp`, which reads the port the kernel gave it.
 */
export async function freePort(): Promise<number> {
  const [low] = await ephemeralPortRange();
  const from = 10_000;
  if (low - from >= 1_000) {
    for (let tries = 0; tries < 50; tries++) {
      const port = from + Math.floor(Math.random() * (low - from));
      if (await canListen(port)) return port;
    }
  }
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface RunningProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Starts a built app (`apps/<name>/dist/main.js`) as a real process with exactly `env` (plus PATH). */
export function startApp(name: "api" | "dispatcher", env: Record<string, string>): RunningProcess {
  // REDIS_URL too: the test setup may have started a redis-server of its own (zero-setup fallback).
  return startScript(path.join(root, "apps", name, "dist", "main.js"), {
    PATH: process.env.PATH ?? "",
    ...(process.env.REDIS_URL && { REDIS_URL: process.env.REDIS_URL }),
    ...env,
  });
}

/** Runs a script of the repository with node and exactly `env`, collecting what it prints. */
export function startScript(script: string, env: Record<string, string>): RunningProcess {
  const child = spawn(process.execPath, [script], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** The TCP ports process `pid` listens on, from /proc (Linux, as in CI): its sockets in LISTEN state. */
export async function listeningPorts(pid: number): Promise<number[]> {
  const inodes = new Set<string>();
  for (const fd of await readdir(`/proc/${pid}/fd`).catch(() => [])) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => "");
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (inode) inodes.add(inode);
  }
  const ports = new Set<number>();
  for (const table of ["tcp", "tcp6"]) {
    const text = await readFile(`/proc/${pid}/net/${table}`, "utf8").catch(() => "");
    for (const line of text.split("\n").slice(1)) {
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode …
      const fields = line.trim().split(/\s+/);
      const [local = "", state = "", inode = ""] = [fields[1], fields[3], fields[9]];
      if (state !== "0A" || !inodes.has(inode)) continue;
      ports.add(Number.parseInt(local.slice(local.lastIndexOf(":") + 1), 16));
    }
  }
  return [...ports];
}

export interface ListeningProcess extends RunningProcess {
  /** The port the kernel gave the process (it was started with port 0). */
  port: number;
  /** `http://127.0.0.1:<port>` */
  url: string;
}

/**
 * Starts a built app on port 0 (PORT or DISPATCHER_PORT) and waits until it listens, reading the port the
 * kernel gave it from /proc: no port is picked beforehand, so none can be taken by another process first.
 * Throws with the process's output when it exits or does not listen within `timeoutMs`.
 */
export async function startListeningApp(
  name: "api" | "dispatcher",
  env: Record<string, string>,
  timeoutMs = 20_000,
): Promise<ListeningProcess> {
  const portVariable = name === "api" ? "PORT" : "DISPATCHER_PORT";
  const app = startApp(name, { ...env, [portVariable]: "0" });
  let exitCode: number | null | undefined;
  void app.exited.then((code) => {
    exitCode = code;
  });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exitCode !== undefined) {
      throw new Error(`${name} exited (${exitCode}) before listening:\n${app.output()}`);
    }
    const ports = app.child.pid === undefined ? [] : await listeningPorts(app.child.pid);
    if (ports.length > 1) {
      app.child.kill("SIGKILL");
      throw new Error(`${name} listens on several ports (${ports.join(", ")}): which one is its own?`);
    }
    const [port] = ports;
    if (port !== undefined) return { ...app, port, url: `http://127.0.0.1:${port}` };
    if (Date.now() > deadline) {
      app.child.kill("SIGKILL");
      throw new Error(`${name} did not listen within ${timeoutMs} ms:\n${app.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
