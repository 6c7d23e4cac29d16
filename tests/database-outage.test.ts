import { createTestDatabase, type TestDatabase } from "./support/database.js";
import { freePort, type RunningProcess, startApp } from "./support/processes.js";
import { eventually } from "./support/receiver.js";
import { startTcpProxy, type TcpProxy } from "./support/tcp-proxy.js";

// hookrelay's own PostgreSQL black-holed (a partition, a failover without RST): the built api answers 503
// within its statement bound instead of hanging for the kernel's TCP timeout, and recovers by itself once
// the database answers again (issue 11, item 3).
describe("hookrelay's PostgreSQL black-holed", () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let api: RunningProcess | undefined;

  beforeAll(async () => {
    database = await createTestDatabase();
    proxy = await startTcpProxy(Number(new URL(database.url).port || 5432));
  });

  afterAll(async () => {
    if (api && api.child.exitCode === null) api.child.kill("SIGKILL");
    await api?.exited;
    await proxy?.close();
    await database?.drop();
  });

  it("the api answers 503 within seconds, then 200 again once the database is back", async () => {
    const port = await freePort();
    const proxied = new URL(database.url);
    proxied.port = String(proxy.port);
    api = startApp("api", {
      PORT: String(port),
      DATABASE_URL: proxied.toString(),
      ADMIN_API_KEY: "outage-test-admin-key",
      DATABASE_CONNECT_TIMEOUT: "1s",
      DATABASE_STATEMENT_TIMEOUT: "1s",
      LOG_LEVEL: "silent",
    });
    const projects = () =>
      fetch(`http://127.0.0.1:${port}/v1/projects`, {
        headers: { authorization: "Bearer outage-test-admin-key" },
        signal: AbortSignal.timeout(20_000),
      });
    // Warm: the pool holds open connections, which the black hole then silences.
    await eventually(async () => (await projects().catch(() => undefined))?.status === 200 || undefined);
    expect((await projects()).status).toBe(200);

    proxy.mode("blackhole");
    const started = Date.now();
    const during = await projects();
    const answeredMs = Date.now() - started;
    expect(during.status).toBe(503);
    expect(((await during.json()) as { error: { code: string } }).error.code).toBe("unavailable");
    // Statement bound 1 s + the client's 2 s margin; unbounded before (minutes).
    expect(answeredMs).toBeLessThan(6_000);

    proxy.mode("forward");
    const back = await eventually(async () => {
      const response = await projects().catch(() => undefined);
      return response?.status === 200 ? response : undefined;
    }, 20_000);
    expect(back.status).toBe(200);
  }, 60_000);
});
