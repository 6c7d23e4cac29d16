import type { ChildProcess } from "node:child_process";
import { access, chmod, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { freePort, startScript } from "./support/processes.js";
import { eventually, TestReceiver } from "./support/receiver.js";

const root = path.resolve(import.meta.dirname, "..");

/** pid → { ppid, comm, state } for every process, from /proc (Linux, as in CI). */
async function processTable(): Promise<Map<number, { ppid: number; comm: string; state: string }>> {
  const table = new Map<number, { ppid: number; comm: string; state: string }>();
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => undefined);
    if (!stat) continue;
    // "pid (comm) state ppid …"; comm may itself hold spaces or parentheses.
    const close = stat.lastIndexOf(")");
    const [state = "", ppid = "0"] = stat.slice(close + 2).split(" ");
    table.set(Number(entry), { ppid: Number(ppid), comm: stat.slice(stat.indexOf("(") + 1, close), state });
  }
  return table;
}

async function descendantsOf(pid: number): Promise<Array<{ pid: number; comm: string }>> {
  const table = await processTable();
  const found: Array<{ pid: number; comm: string }> = [];
  const parents = [pid];
  while (parents.length > 0) {
    const parent = parents.pop();
    for (const [child, { ppid, comm }] of table) {
      if (ppid === parent) {
        found.push({ pid: child, comm });
        parents.push(child);
      }
    }
  }
  return found;
}

async function isAlive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);
  // A zombie has exited; only its parent's bookkeeping is left.
  return stat !== undefined && stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
}

// `npm start`'s own path (scripts/start.js) on a "bare" machine: the default PostgreSQL and Redis ports are
// pointed at unused ports and no DATABASE_URL, REDIS_URL or ADMIN_API_KEY is set.
describe("zero-setup start", () => {
  let dataDir: string;
  let receiver: TestReceiver;
  let start: ChildProcess | undefined;
  let spawned: Array<{ pid: number; comm: string }> = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), "hookrelay-zero-setup-"));
    // Run as root, the embedded PostgreSQL runs as the `postgres` user, which must reach its folder.
    await chmod(dataDir, 0o755);
    receiver = await TestReceiver.start();
  });

  afterAll(async () => {
    if (start?.exitCode === null) start.kill("SIGKILL");
    for (const { pid } of spawned) if (await isAlive(pid)) process.kill(pid, "SIGKILL");
    await receiver?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("exits with one line on how to get Redis when none answers and no redis-server is on PATH", async () => {
    const noRedisDir = path.join(dataDir, "no-redis");
    const noRedis = startScript(path.join(root, "scripts", "start.js"), {
      PATH: path.join(dataDir, "empty-bin"),
      DATA_DIR: noRedisDir,
      DEFAULT_POSTGRES_PORT: String(await freePort()),
      DEFAULT_REDIS_PORT: String(await freePort()),
    });
    expect(await noRedis.exited).toBe(1);
    const lines = noRedis.output().trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^hookrelay: no Redis on 127\.0\.0\.1:\d+ and no redis-server on PATH: /);
    for (const way of [
      "apt install redis-server",
      "brew install redis",
      "docker compose up -d redis",
      "REDIS_URL",
    ]) {
      expect(lines[0]).toContain(way);
    }
    // Checked before anything started: no embedded PostgreSQL was initialised.
    await expect(access(path.join(noRedisDir, "postgres"))).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("starts an embedded PostgreSQL and a redis-server, delivers an event, and stops them all on SIGTERM", async () => {
    const [apiPort, dispatcherPort, noPostgres, noRedis] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const running = startScript(path.join(root, "scripts", "start.js"), {
      PATH: process.env.PATH ?? "",
      DATA_DIR: dataDir,
      DEFAULT_POSTGRES_PORT: String(noPostgres),
      DEFAULT_REDIS_PORT: String(noRedis),
      PORT: String(apiPort),
      DISPATCHER_PORT: String(dispatcherPort),
      LOG_LEVEL: "warn",
    });
    start = running.child;
    const { exited } = running;

    for (const port of [apiPort, dispatcherPort]) {
      const ready = await eventually(async () => {
        const response = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
        return response?.status === 200 ? response.json() : undefined;
      }, 40_000);
      expect(ready).toEqual({ status: "ready", checks: { postgres: "ok", redis: "ok" } });
    }

    // One line says PostgreSQL is embedded, one that redis-server was started, each on a port of its own.
    const lines = running.output().split("\n");
    const postgresLines = lines.filter((line) => line.includes("embedded PostgreSQL"));
    expect(postgresLines).toHaveLength(1);
    expect(postgresLines[0]).toMatch(
      new RegExp(
        `^hookrelay: no PostgreSQL on 127\\.0\\.0\\.1:${noPostgres} and no DATABASE_URL: started an embedded ` +
          `PostgreSQL 18 on 127\\.0\\.0\\.1:\\d+ \\(data in ${dataDir}/postgres\\)$`,
      ),
    );
    const redisLines = lines.filter((line) => line.includes("redis-server"));
    expect(redisLines).toHaveLength(1);
    expect(redisLines[0]).toMatch(
      new RegExp(
        `^hookrelay: no Redis on 127\\.0\\.0\\.1:${noRedis} and no REDIS_URL: started \\S*redis-server ` +
          `on 127\\.0\\.0\\.1:\\d+ \\(data in ${dataDir}/redis\\)$`,
      ),
    );
    await access(path.join(dataDir, "postgres", "data", "PG_VERSION"));

    spawned = await descendantsOf(start.pid as number);
    const names = spawned.map(({ comm }) => comm);
    expect(names).toEqual(expect.arrayContaining(["postgres", "redis-server", "node"]));

    // The admin key: generated, printed once, kept under the data folder.
    const printed = [...running.output().matchAll(/generated ADMIN_API_KEY=(\S+)/g)].map((match) => match[1]);
    expect(printed).toHaveLength(1);
    const adminKey = (await readFile(path.join(dataDir, "admin-api-key"), "utf8")).trim();
    expect(printed[0]).toBe(adminKey);

    // One event end to end, through the embedded PostgreSQL and the spawned Redis.
    const api = async (method: string, route: string, key: string, body: unknown) => {
      const response = await fetch(`http://127.0.0.1:${apiPort}${route}`, {
        method,
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as any };
    };
    const project = await api("POST", "/v1/projects", adminKey, { name: "zero-setup" });
    expect(project.status).toBe(201);
    const webhook = await api("POST", `/v1/project/${project.body.id}/webhooks`, project.body.api_key, {
      url: `${receiver.url}/hooks`,
      event_types: ["order.*"],
    });
    expect(webhook.status).toBe(201);
    const event = await api("POST", `/v1/project/${project.body.id}/events`, project.body.api_key, {
      event_type: "order.paid",
      data: { order_id: "ord_1" },
    });
    expect(event.status).toBe(202);
    const [delivered] = await receiver.waitForRequests(1, 20_000);
    expect(delivered?.headers["webhook-id"]).toBe(event.body.event_id);
    expect(JSON.parse(delivered?.body.toString() ?? "{}")).toMatchObject({
      event_type: "order.paid",
      data: { order_id: "ord_1" },
    });

    // SIGTERM: the apps, the embedded PostgreSQL (and its backends) and redis-server all exit.
    start.kill("SIGTERM");
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      exited,
      new Promise((resolve) => {
        timer = setTimeout(resolve, 25_000, "timeout");
      }),
    ]);
    clearTimeout(timer);
    expect(code).toBe(0);
    const left = [];
    for (const one of spawned) if (await isAlive(one.pid)) left.push(one);
    expect(left).toEqual([]);
  }, 60_000);
});
