import { type ChildProcess, spawn } from "node:child_process";
import net from "node:net";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");

/** A TCP port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
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
