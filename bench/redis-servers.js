// The Redis a bench run's queues live on (`--redis`), and the redis-server processes whose CPU is the run's:
// - `shared` (default): REDIS_URL or 127.0.0.1:6379, as it is; its process (found through INFO) also serves
//   anyone else using it, so its CPU is the run's only on a quiet machine;
// - `own`: one redis-server of the run's own on a loopback port;
// - `cluster`: three masters and three replicas on loopback (`redis-cli --cluster create`), the apps
//   connected with REDIS_CLUSTER_NODES;
// - `sentinel`: a master, a replica and three sentinels, the apps connected with REDIS_SENTINELS.
// The same shapes as the test suite's (tests/support/redis-topologies.ts, TypeScript, which a plain-Node
// bench cannot import), without its failover helpers. Nothing is persisted; every server is stopped after.
import { execFile, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const SENTINEL_MASTER = "hookrelay-bench";
// Below the kernel's ephemeral range (32768+), so no outgoing connection takes a port between the check
// and the bind, and a cluster node's bus port (port + 10000) stays a valid port.
const FIRST_PORT = 20_000;
const PORT_SPAN = 5_000;

async function redisCli(args) {
  try {
    return (await run("redis-cli", args, { timeout: 5_000 })).stdout;
  } catch {
    return "";
  }
}

async function until(check, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`redis: timed out waiting for ${what}`);
}

function canListen(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** `count` free loopback ports whose port + 10000 is free too. */
async function freePorts(count) {
  const ports = [];
  for (let tries = 0; ports.length < count && tries < 500; tries++) {
    const port = FIRST_PORT + Math.floor(Math.random() * PORT_SPAN);
    if (!ports.includes(port) && (await canListen(port)) && (await canListen(port + 10_000)))
      ports.push(port);
  }
  if (ports.length < count) throw new Error("redis: no free loopback ports");
  return ports;
}

/** Servers started here, each a child process (its pid is what the bench measures). */
async function serverSet() {
  const dir = await mkdtemp(path.join(os.tmpdir(), "hookrelay-bench-redis-"));
  const children = [];
  const data = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir];
  return {
    dir,
    data,
    pids: () => children.map((child) => child.pid),
    async start(port, args) {
      const child = spawn("redis-server", args, { stdio: "ignore", cwd: dir });
      child.on("error", () => undefined);
      children.push(child);
      await until(
        async () => (await redisCli(["-p", String(port), "ping"])).startsWith("PONG"),
        10_000,
        port,
      );
    },
    async stop() {
      for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The process behind a Redis URL on this machine (INFO server), or none. */
async function serverPid(url) {
  const info = await redisCli(["-u", url, "info", "server"]);
  const pid = Number(/process_id:(\d+)/.exec(info)?.[1]);
  return pid > 0 ? [pid] : [];
}

/** @returns {Promise<{ mode: string, env: Record<string, string>, pids: number[], stop: () => Promise<void> }>} */
export async function startRedis(mode, sharedUrl) {
  if (mode === "shared") {
    return { mode, env: { REDIS_URL: sharedUrl }, pids: await serverPid(sharedUrl), stop: async () => {} };
  }
  const servers = await serverSet();
  try {
    if (mode === "own") {
      const [port] = await freePorts(1);
      await servers.start(port, ["--port", String(port), ...servers.data]);
      return {
        mode,
        env: { REDIS_URL: `redis://127.0.0.1:${port}` },
        pids: servers.pids(),
        stop: servers.stop,
      };
    }
    if (mode === "cluster") {
      const ports = await freePorts(6);
      await Promise.all(
        ports.map((port) =>
          servers.start(port, [
            ...["--port", String(port), ...servers.data],
            ...["--cluster-enabled", "yes", "--cluster-config-file", `nodes-${port}.conf`],
          ]),
        ),
      );
      const nodes = ports.map((port) => `127.0.0.1:${port}`);
      await run("redis-cli", ["--cluster", "create", ...nodes, "--cluster-replicas", "1", "--cluster-yes"], {
        timeout: 30_000,
      });
      for (const port of ports)
        await until(
          async () => (await redisCli(["-p", String(port), "cluster", "info"])).includes("cluster_state:ok"),
          20_000,
          `cluster state on ${port}`,
        );
      return {
        mode,
        env: { REDIS_CLUSTER_NODES: nodes.join(",") },
        pids: servers.pids(),
        stop: servers.stop,
      };
    }
    if (mode === "sentinel") {
      const [master, replica, ...sentinels] = await freePorts(5);
      await servers.start(master, ["--port", String(master), ...servers.data]);
      await servers.start(replica, [
        ...["--port", String(replica), ...servers.data],
        ...["--replicaof", "127.0.0.1", String(master)],
      ]);
      for (const port of sentinels) {
        const file = path.join(servers.dir, `sentinel-${port}.conf`);
        await writeFile(
          file,
          [
            `port ${port}`,
            "bind 127.0.0.1",
            `dir ${servers.dir}`,
            `sentinel monitor ${SENTINEL_MASTER} 127.0.0.1 ${master} 2`,
            "",
          ].join("\n"),
        );
        await servers.start(port, [file, "--sentinel"]);
      }
      return {
        mode,
        env: {
          REDIS_SENTINELS: sentinels.map((port) => `127.0.0.1:${port}`).join(","),
          REDIS_SENTINEL_MASTER: SENTINEL_MASTER,
        },
        pids: servers.pids(),
        stop: servers.stop,
      };
    }
  } catch (error) {
    await servers.stop();
    throw error;
  }
  await servers.stop();
  throw new Error(`unknown --redis ${mode} (shared, own, cluster or sentinel)`);
}
