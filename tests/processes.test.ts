import { createTestDatabase, type TestDatabase } from "./support/database.js";
import { type RunningProcess, startApp, startListeningApp } from "./support/processes.js";
import { countQueuePrefixKeys, deleteQueuePrefix, uniqueQueuePrefix } from "./support/queue-prefix.js";
import { eventually } from "./support/receiver.js";

// The built entry points as an operator runs them: configuration errors, health, readiness, SIGTERM.
describe("api and dispatcher processes", () => {
  let database: TestDatabase;
  const running: RunningProcess[] = [];
  // Every process gets a queue prefix of its own test, whose keys are deleted afterwards.
  const prefixes: string[] = [];
  const prefix = () => {
    const one = uniqueQueuePrefix("proc");
    prefixes.push(one);
    return one;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    for (const one of running) if (one.child.exitCode === null) one.child.kill("SIGKILL");
    await Promise.all(running.map((one) => one.exited));
    for (const one of prefixes) await deleteQueuePrefix(one);
    await database?.drop();
  });

  it.each([
    ["api", { PORT: "not-a-port" }, /^hookrelay api: invalid configuration: PORT: /],
    ["api", { DATABASE_URL: "mysql://x" }, /^hookrelay api: invalid configuration: DATABASE_URL: /],
    ["api", { NODE_ENV: "production", ADMIN_API_KEY: "x".repeat(20) }, /: SECRETS_KEY: required/],
    [
      "dispatcher",
      { RETRY_SCHEDULE: "5x" },
      /^hookrelay dispatcher: invalid configuration: RETRY_SCHEDULE: "5x"/,
    ],
    [
      "dispatcher",
      { DELIVERY_TIMEOUT_MS: "-5" },
      /^hookrelay dispatcher: invalid configuration: DELIVERY_TIMEOUT_MS: /,
    ],
  ] as const)("%s stops at start with one line naming the bad variable (%j)", async (name, env, line) => {
    const app = startApp(name, { QUEUE_PREFIX: prefix(), ...env });
    expect(await app.exited).toBe(1);
    const lines = app.output().trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(line);
  });

  it("both serve /healthz and /readyz, and exit 0 on SIGTERM", async () => {
    const queuePrefix = prefix();
    const env = {
      DATABASE_URL: database.url,
      QUEUE_PREFIX: queuePrefix,
      ADMIN_API_KEY: "process-test-admin-key",
      LOG_LEVEL: "warn",
    };
    const [api, dispatcher] = await Promise.all([
      startListeningApp("api", env),
      startListeningApp("dispatcher", env),
    ]);
    running.push(api, dispatcher);

    for (const { url } of [api, dispatcher]) {
      const ready = await eventually(async () => {
        const response = await fetch(`${url}/readyz`).catch(() => undefined);
        return response?.status === 200 ? response.json() : undefined;
      });
      expect(ready).toEqual({ status: "ready", checks: { postgres: "ok", redis: "ok" } });
      const health = await fetch(`${url}/healthz`);
      expect(await health.json()).toEqual({ status: "ok" });
    }
    // The development-key warning is loud, and no secret shows in the output.
    expect(api.output()).toContain("SECRETS_KEY is not set");
    expect(api.output()).not.toContain("process-test-admin-key");

    api.child.kill("SIGTERM");
    dispatcher.child.kill("SIGTERM");
    expect(await api.exited).toBe(0);
    expect(await dispatcher.exited).toBe(0);
    // What they wrote to Redis is under their own prefix only, and goes with it.
    expect(await countQueuePrefixKeys(queuePrefix)).toBeGreaterThan(0);
    await deleteQueuePrefix(queuePrefix);
    expect(await countQueuePrefixKeys(queuePrefix)).toBe(0);
  });

  it("answers 503 on /readyz while PostgreSQL is unreachable", async () => {
    const api = await startListeningApp("api", {
      DATABASE_URL: "postgresql://postgres@127.0.0.1:1/nothing",
      QUEUE_PREFIX: prefix(),
      ADMIN_API_KEY: "process-test-admin-key",
      LOG_LEVEL: "silent",
    });
    running.push(api);
    // Redis answers once its connection is up; PostgreSQL never does.
    const body = await eventually(async () => {
      const response = await fetch(`${api.url}/readyz`).catch(() => undefined);
      if (response?.status !== 503) return undefined;
      const checks = (await response.json()) as { checks: Record<string, string> };
      return checks.checks.redis === "ok" ? checks : undefined;
    });
    expect(body).toEqual({ status: "unavailable", checks: { postgres: "unavailable", redis: "ok" } });
    // Requests that need PostgreSQL get the SPEC's 503, not a 500: a typed query and a raw one.
    for (const [path, key] of [
      ["/v1/projects", "process-test-admin-key"],
      ["/v1/project/proj_x/events", "hr_some-project-key"],
    ] as const) {
      const response = await fetch(`${api.url}${path}`, {
        method: path.endsWith("events") ? "POST" : "GET",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: path.endsWith("events") ? JSON.stringify({ event_type: "a.b", data: {} }) : undefined,
      });
      expect(response.status).toBe(503);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe("unavailable");
    }
    api.child.kill("SIGTERM");
    expect(await api.exited).toBe(0);
  });
});
