import { spawn } from "node:child_process";
import { chmod, mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createTestDatabase, type TestDatabase } from "./support/database.js";
import { freePort, type RunningProcess, startScript } from "./support/processes.js";
import { eventually } from "./support/receiver.js";

const root = path.resolve(import.meta.dirname, "..");
const BANNER_TITLE = /^hookrelay is ready$/gm;

async function ready(port: number): Promise<boolean> {
  const response = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
  await response?.body?.cancel();
  return response?.status === 200;
}

/** SIGTERM, then the exit code (or "timeout"). */
async function stop(running: RunningProcess): Promise<number | null | "timeout"> {
  running.child.kill("SIGTERM");
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([
    running.exited,
    new Promise<"timeout">((resolve) => {
      timer = setTimeout(resolve, 30_000, "timeout");
    }),
  ]);
  clearTimeout(timer);
  return code;
}

function occurrences(text: string, part: string): number {
  return text.split(part).length - 1;
}

// `npm start` (scripts/start.js) against the test's PostgreSQL and Redis, twice on one data folder with no
// ADMIN_API_KEY: one banner each time both apps are ready; the generated admin key in the first one only.
describe("npm start's banner", () => {
  let database: TestDatabase;
  let dataDir: string;
  const started: RunningProcess[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    dataDir = await mkdtemp(path.join(os.tmpdir(), "hookrelay-banner-"));
    await chmod(dataDir, 0o755);
  });

  afterAll(async () => {
    for (const running of started) if (running.child.exitCode === null) running.child.kill("SIGKILL");
    await database?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function start(env: Record<string, string>) {
    const [apiPort, dispatcherPort] = [await freePort(), await freePort()];
    const running = startScript(path.join(root, "scripts", "start.js"), {
      PATH: process.env.PATH ?? "",
      DATABASE_URL: database.url,
      REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
      QUEUE_PREFIX: `hookrelay-banner-${apiPort}`,
      DATA_DIR: dataDir,
      PORT: String(apiPort),
      DISPATCHER_PORT: String(dispatcherPort),
      ...env,
    });
    started.push(running);
    const banner = await eventually(async () => {
      const output = running.output();
      const at = output.search(BANNER_TITLE);
      return at >= 0 && output.indexOf("\n\n", at) > 0 ? output.slice(at, output.indexOf("\n\n", at)) : false;
    }, 40_000).catch(() => {
      throw new Error(`no banner:\n${running.output()}`);
    });
    return { running, banner, apiPort, dispatcherPort };
  }

  it("first start: one banner once both apps listen, with the URLs and the generated key, shown nowhere else", async () => {
    const { running, banner, apiPort, dispatcherPort } = await start({ LOG_LEVEL: "info" });
    for (const port of [apiPort, dispatcherPort])
      expect(await eventually(() => ready(port), 10_000)).toBe(true);

    const key = (await readFile(path.join(dataDir, "admin-api-key"), "utf8")).trim();
    expect(key).toMatch(/^hr_admin_/);
    const rows = banner.split("\n").slice(1);
    expect(rows).toEqual([
      `  API         http://localhost:${apiPort}/v1`,
      `  Dashboard   http://localhost:${apiPort}/dashboard  (any user name, the admin key as password)`,
      `  Bull Board  http://localhost:${apiPort}/admin/queues`,
      `  Admin key   generated ADMIN_API_KEY=${key}`,
      `              shown this once only; kept in ${path.join(dataDir, "admin-api-key")}`,
      `  Data        ${dataDir}`,
      expect.stringMatching(/^ {2}PostgreSQL {2}127\.0\.0\.1:\d+\/hookrelay_test_\w+$/),
      expect.stringMatching(/^ {2}Redis {7}\S+:\d+$/),
      "  Stop        Ctrl-C (the apps finish their work in flight first)",
    ]);
    // The URLs answer as the banner says (the dashboard and Bull Board ask for the admin key).
    for (const route of ["/dashboard", "/admin/queues"]) {
      const response = await fetch(`http://127.0.0.1:${apiPort}${route}`, {
        headers: { authorization: `Bearer ${key}` },
        redirect: "manual",
      });
      expect(response.status).toBeLessThan(400);
    }

    // Its stdout is a pipe and LOG_FORMAT is unset: the apps log JSON lines, both listening before the banner.
    const lines = running.output().split("\n");
    const listening = lines.findIndex((line) => line.includes('"msg":"api listening"'));
    const dispatching = lines.findIndex((line) => line.includes('"msg":"dispatcher started"'));
    expect(JSON.parse(lines[listening] ?? "")).toMatchObject({ name: "api", port: apiPort });
    expect(Math.max(listening, dispatching)).toBeLessThan(lines.indexOf("hookrelay is ready"));
    expect(Math.min(listening, dispatching)).toBeGreaterThanOrEqual(0);

    expect(await stop(running)).toBe(0);
    const output = running.output();
    expect(output.match(BANNER_TITLE)).toHaveLength(1);
    expect(occurrences(output, key)).toBe(1);
  }, 90_000);

  it("second start: one banner pointing at the kept key, never the key itself; LOG_FORMAT=pretty", async () => {
    const key = (await readFile(path.join(dataDir, "admin-api-key"), "utf8")).trim();
    const { running, banner } = await start({ LOG_LEVEL: "info", LOG_FORMAT: "pretty" });
    expect(banner).toContain(`  Admin key   kept in ${path.join(dataDir, "admin-api-key")}\n`);
    expect(banner).not.toContain("generated");

    expect(await stop(running)).toBe(0);
    const output = running.output();
    expect(output.match(BANNER_TITLE)).toHaveLength(1);
    expect(output).not.toContain(key);
    expect(output).not.toContain("generated ADMIN_API_KEY");
    // Lines for a person, although stdout is a pipe; not one JSON line.
    expect(output).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO \(api\): api listening$/m);
    expect(output).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO \(dispatcher\): dispatcher started$/m);
    expect(output).not.toMatch(/^\{"level"/m);
  }, 90_000);
});

// The api hands a generated key to `npm start`'s supervisor only when the supervisor confirms it takes it:
// a parent that has an IPC channel but is not the supervisor (node --watch) must not swallow the key.
describe("a generated admin key's handover", () => {
  const adminKeyModule = path.join(root, "apps", "api", "dist", "admin-key.js");

  /** Runs showGeneratedAdminKey in a child with an IPC channel; `answer` decides what the parent replies. */
  async function show(answer: (message: any) => object | undefined) {
    const script = `
      import { showGeneratedAdminKey } from ${JSON.stringify(adminKeyModule)};
      await showGeneratedAdminKey({ key: "hr_admin_handover", file: "/data/admin-api-key" });
      process.stdout.write("done\\n");
    `;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "inherit", "ipc"],
    });
    const messages: unknown[] = [];
    child.on("message", (message) => {
      messages.push(message);
      const reply = answer(message);
      if (reply) child.send(reply);
    });
    let output = "";
    child.stdout?.on("data", (chunk) => {
      output += chunk;
    });
    const startedAt = Date.now();
    const code = await new Promise((resolve) => child.on("exit", resolve));
    return { code, output, messages, tookMs: Date.now() - startedAt };
  }

  it("is shown by the supervisor that takes it, and not printed by the api", async () => {
    const { code, output, messages } = await show(() => ({ hookrelay: "admin-key-taken" }));
    expect(code).toBe(0);
    expect(messages).toEqual([
      { hookrelay: "admin-key", key: "hr_admin_handover", file: "/data/admin-api-key" },
    ]);
    expect(output).toBe("done\n");
  });

  it("is printed by the api itself when the parent never confirms", async () => {
    const { code, output, messages, tookMs } = await show(() => undefined);
    expect(code).toBe(0);
    expect(messages).toHaveLength(1);
    expect(output).toBe(
      "\nhookrelay: generated ADMIN_API_KEY=hr_admin_handover\n  (kept in /data/admin-api-key)\n\ndone\n",
    );
    expect(tookMs).toBeLessThan(10_000);
  });
});
