import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { eventually } from "./receiver.js";

// A Redis Cluster and a Sentinel group of a test's own, on loopback ports, from the redis-server and
// redis-cli on PATH (STACK.md: Redis 7 runs both with no extra package). Nothing is persisted.

const run = promisify(execFile);

/** Runs a redis-cli command against 127.0.0.1:`port`; its output, or "" when the server does not answer. */
export async function redisCli(port: number, ...args: string[]): Promise<string> {
  try {
    const { stdout } = await run("redis-cli", ["-h", "127.0.0.1", "-p", String(port), ...args], {
      timeout: 5_000,
    });
    return stdout;
  } catch {
    return "";
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/**
 * `count` distinct free loopback ports below 55536 (a cluster node also listens on its port + 10000, its
 * bus), each checked with its bus port when `withBus`. Random, so two topologies started at once rarely
 * pick the same; a clash that happens anyway makes a server exit, which `ServerSet.start` reports.
 */
async function freePorts(count: number, withBus: boolean): Promise<number[]> {
  const ports: number[] = [];
  for (let tries = 0; ports.length < count && tries < 1_000; tries++) {
    const port = 20_000 + Math.floor(Math.random() * 35_000);
    if (ports.some((taken) => Math.abs(taken - port) % 10_000 === 0)) continue;
    if ((await canListen(port)) && (!withBus || (await canListen(port + 10_000)))) ports.push(port);
  }
  if (ports.length < count) throw new Error("no free ports");
  return ports;
}

/** Runs `start` up to three times: a port taken between the check and the server's bind fails an attempt. */
async function withRetries<T>(start: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
}

class ServerSet {
  readonly #children = new Map<number, ChildProcess>();

  constructor(readonly dir: string) {}

  /** Starts a server and waits for its PONG; fails at once if it exits (its port was taken). */
  async start(port: number, args: string[]): Promise<void> {
    const child = spawn("redis-server", args, { stdio: "ignore", cwd: this.dir });
    child.on("error", () => undefined);
    this.#children.set(port, child);
    const exited = new Promise<never>((_, reject) =>
      child.once("exit", (code) => reject(new Error(`redis-server on ${port} exited (${code})`))),
    );
    exited.catch(() => undefined);
    await Promise.race([
      exited,
      eventually(
        async () =>
          child.exitCode === null && ((await redisCli(port, "ping")).startsWith("PONG") || undefined),
        10_000,
      ),
    ]);
  }

  /** SIGKILL: a crashed host, nothing saved. */
  async kill(port: number): Promise<void> {
    const child = this.#children.get(port);
    this.#children.delete(port);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.#children.keys()].map((port) => this.kill(port)));
    await rm(this.dir, { recursive: true, force: true });
  }
}

export interface OwnedRedisCluster {
  /** The seeds, as REDIS_CLUSTER_NODES takes them. */
  nodes: string;
  /** The port of the master that serves `slot` now. */
  masterOf: (slot: number) => Promise<number>;
  /** SIGKILLs a master, then waits until a replica took over its slots and the cluster is ok again. */
  killMaster: (port: number) => Promise<{ promoted: number; tookMs: number }>;
  stop: () => Promise<void>;
}

/** Short, so a failover shows within seconds; not so short that a starved node is failed by mistake. */
const CLUSTER_NODE_TIMEOUT_MS = 2_000;

/**
 * Three masters and three replicas (`redis-cli --cluster create … --cluster-replicas 1`); a master that
 * stops answering for CLUSTER_NODE_TIMEOUT_MS is failed over to its replica. The other masters keep
 * serving their slots meanwhile (`cluster-require-full-coverage no`), so one shard is down alone.
 */
export function startOwnedRedisCluster(): Promise<OwnedRedisCluster> {
  return withRetries(startCluster);
}

async function startCluster(): Promise<OwnedRedisCluster> {
  const servers = new ServerSet(await mkdtemp(path.join(os.tmpdir(), "hookrelay-cluster-")));
  try {
    const ports = await freePorts(6, true);
    await Promise.all(
      ports.map((port) =>
        servers.start(port, [
          ...["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
          ...["--cluster-enabled", "yes", "--cluster-config-file", `nodes-${port}.conf`],
          ...["--cluster-node-timeout", String(CLUSTER_NODE_TIMEOUT_MS)],
          // A replica may take over however long ago it last heard from its master.
          ...["--cluster-replica-validity-factor", "0"],
          ...["--cluster-require-full-coverage", "no"],
          ...["--dir", servers.dir],
        ]),
      ),
    );
    await run(
      "redis-cli",
      [
        "--cluster",
        "create",
        ...ports.map((port) => `127.0.0.1:${port}`),
        "--cluster-replicas",
        "1",
        "--cluster-yes",
      ],
      { timeout: 30_000 },
    );
    const clusterOk = (port: number) =>
      eventually(
        async () => (await redisCli(port, "cluster", "info")).includes("cluster_state:ok") || undefined,
        20_000,
      );
    await Promise.all(ports.map(clusterOk));
    // A replica that has not synced with its master yet cannot take over: wait for every link.
    await Promise.all(
      ports.map((port) =>
        eventually(async () => {
          const replication = await redisCli(port, "info", "replication");
          return (
            replication.includes("role:master") || replication.includes("master_link_status:up") || undefined
          );
        }, 20_000),
      ),
    );
    const alive = new Set(ports);

    const masters = async (): Promise<Array<{ port: number; ranges: Array<[number, number]> }>> => {
      for (const port of alive) {
        const text = await redisCli(port, "cluster", "nodes");
        if (!text) continue;
        return text
          .trim()
          .split("\n")
          .map((line) => line.split(" "))
          .filter((fields) => fields[2]?.includes("master") && !fields[2]?.includes("fail"))
          .map((fields) => ({
            port: Number(fields[1]?.split("@")[0]?.split(":")[1]),
            ranges: fields
              .slice(8)
              .filter((range) => /^\d+(-\d+)?$/.test(range))
              .map((range) => {
                const [from, to = from] = range.split("-").map(Number);
                return [from ?? 0, to ?? 0] as [number, number];
              }),
          }));
      }
      throw new Error("no cluster node answers");
    };
    const masterOf = async (slot: number) => {
      const owner = (await masters()).find(({ ranges }) =>
        ranges.some(([from, to]) => slot >= from && slot <= to),
      );
      if (!owner) throw new Error(`no master serves slot ${slot}`);
      return owner.port;
    };

    return {
      nodes: ports.map((port) => `127.0.0.1:${port}`).join(","),
      masterOf,
      async killMaster(port) {
        const started = Date.now();
        const slot = (await masters()).find((master) => master.port === port)?.ranges[0]?.[0];
        if (slot === undefined) throw new Error(`${port} is not a master`);
        alive.delete(port);
        await servers.kill(port);
        const promoted = await eventually(async () => {
          const owner = await masterOf(slot).catch(() => port);
          return owner !== port ? owner : undefined;
        }, 30_000);
        await Promise.all([...alive].map(clusterOk));
        return { promoted, tookMs: Date.now() - started };
      },
      stop: () => servers.stopAll(),
    };
  } catch (error) {
    await servers.stopAll();
    throw error;
  }
}

export interface OwnedRedisSentinels {
  /** As REDIS_SENTINELS takes them. */
  sentinels: string;
  master: string;
  masterPort: number;
  /** SIGKILLs the master, then waits until the sentinels name the replica as the new master. */
  killMaster: () => Promise<{ promoted: number; tookMs: number }>;
  stop: () => Promise<void>;
}

export const SENTINEL_MASTER_NAME = "hookrelay-test";

/** A master, one replica and three sentinels (quorum 2) that fail the master over after 2 s of silence. */
export function startOwnedRedisSentinels(): Promise<OwnedRedisSentinels> {
  return withRetries(startSentinels);
}

async function startSentinels(): Promise<OwnedRedisSentinels> {
  const servers = new ServerSet(await mkdtemp(path.join(os.tmpdir(), "hookrelay-sentinel-")));
  try {
    const [masterPort, replicaPort, ...sentinelPorts] = await freePorts(5, false);
    if (!masterPort || !replicaPort) throw new Error("no free ports");
    const data = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", servers.dir];
    await servers.start(masterPort, ["--port", String(masterPort), ...data]);
    await servers.start(replicaPort, [
      ...["--port", String(replicaPort), ...data],
      ...["--replicaof", "127.0.0.1", String(masterPort)],
    ]);
    await eventually(
      async () =>
        (await redisCli(masterPort, "info", "replication")).includes("connected_slaves:1") || undefined,
      10_000,
    );
    for (const port of sentinelPorts) {
      // A sentinel rewrites its own file: one each, in the set's folder.
      const file = path.join(servers.dir, `sentinel-${port}.conf`);
      await writeFile(
        file,
        [
          `port ${port}`,
          "bind 127.0.0.1",
          `dir ${servers.dir}`,
          `sentinel monitor ${SENTINEL_MASTER_NAME} 127.0.0.1 ${masterPort} 2`,
          `sentinel down-after-milliseconds ${SENTINEL_MASTER_NAME} 2000`,
          `sentinel failover-timeout ${SENTINEL_MASTER_NAME} 5000`,
          "",
        ].join("\n"),
      );
      await servers.start(port, [file, "--sentinel"]);
    }
    // A failover needs the sentinels to know each other and the replica (learnt from hello messages).
    await Promise.all(
      sentinelPorts.map((port) =>
        eventually(async () => {
          const peers = await redisCli(port, "sentinel", "sentinels", SENTINEL_MASTER_NAME);
          const replicas = await redisCli(port, "sentinel", "replicas", SENTINEL_MASTER_NAME);
          return (
            ((peers.match(/^name$/gm)?.length ?? 0) >= 2 && replicas.includes(String(replicaPort))) ||
            undefined
          );
        }, 20_000),
      ),
    );
    const currentMaster = async () => {
      for (const port of sentinelPorts) {
        const answer = (
          await redisCli(port, "sentinel", "get-master-addr-by-name", SENTINEL_MASTER_NAME)
        ).trim();
        const masterPortNow = Number(answer.split("\n")[1]);
        if (masterPortNow > 0) return masterPortNow;
      }
      return undefined;
    };
    return {
      sentinels: sentinelPorts.map((port) => `127.0.0.1:${port}`).join(","),
      master: SENTINEL_MASTER_NAME,
      masterPort,
      async killMaster() {
        const started = Date.now();
        await servers.kill(masterPort);
        const promoted = await eventually(async () => {
          const now = await currentMaster();
          return now !== undefined && now !== masterPort ? now : undefined;
        }, 30_000);
        await eventually(
          async () => (await redisCli(promoted, "info", "replication")).includes("role:master") || undefined,
          10_000,
        );
        return { promoted, tookMs: Date.now() - started };
      },
      stop: () => servers.stopAll(),
    };
  } catch (error) {
    await servers.stopAll();
    throw error;
  }
}
