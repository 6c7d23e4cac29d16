// A redis-server from PATH for a machine without a running Redis (no npm package ships one), on a port of
// its own with its data under <dataDir>/redis.
import { accessSync, constants } from "node:fs";
import { mkdir } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { freePort, LOOPBACK } from "./network.js";
import { startServiceProcess, waitUntilReady } from "./service-process.js";

export const HOW_TO_GET_REDIS =
  "install Redis (apt install redis-server, or brew install redis) or start one with " +
  "`docker compose up -d redis`, or set REDIS_URL";

/** The redis-server executable on PATH, or undefined. */
export function findRedisServer(searchPath = process.env.PATH ?? "") {
  for (const dir of searchPath.split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, "redis-server");
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return undefined;
}

/**
 * @param {{ binary: string, dir: string, persistent: boolean, detached: boolean }} options
 * @returns {Promise<{ url: string, port: number, stop: () => Promise<void> }>}
 */
export async function startRedisServer({ binary, dir, persistent, detached }) {
  await mkdir(dir, { recursive: true });
  const port = await freePort();
  const server = await startServiceProcess({
    command: binary,
    args: [
      ...["--port", String(port), "--bind", LOOPBACK, "--dir", dir, "--daemonize", "no"],
      // BullMQ's jobs must never be evicted.
      ...["--maxmemory-policy", "noeviction"],
      ...(persistent ? ["--appendonly", "yes"] : ["--save", "", "--appendonly", "no"]),
    ],
    logFile: path.join(dir, "redis.log"),
    stopSignals: [
      ["SIGTERM", 10_000],
      ["SIGKILL", 5_000],
    ],
    detached,
  });
  await waitUntilReady(server, () => answersPing(port), "redis-server");
  return { url: `redis://${LOOPBACK}:${port}`, port, stop: server.stop };
}

/** True when a Redis on 127.0.0.1:`port` answers PING with PONG (not just a listening socket). */
function answersPing(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: LOOPBACK, port });
    let reply = "";
    const done = (answer) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk) => {
      reply += chunk;
      if (reply.includes("\r\n")) done(reply.startsWith("+PONG"));
    });
    socket.once("error", () => done(false));
  });
}
