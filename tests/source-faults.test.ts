import { readdir, readFile, readlink } from "node:fs/promises";
import { createProject, type TestProject } from "./support/fixtures.js";
import { type RunningProcess, startListeningApp } from "./support/processes.js";
import { eventually, TestReceiver } from "./support/receiver.js";
import { createSourceDatabase, type SourceDatabase } from "./support/source-database.js";
import { ADMIN_KEY, type Stack, startStack } from "./support/stack.js";
import { startTcpProxy, type TcpProxy } from "./support/tcp-proxy.js";

// Database change sources under faults, with the dispatchers as real processes (the built main.js): changes
// committed while no dispatcher runs, the capturing dispatcher killed mid-stream, the source database
// refusing connections or black-holed behind a TCP proxy, hookrelay's own Redis gone. Whatever happens,
// each committed change becomes exactly one event and reaches the receiver.

const PASSWORD = "s3cretpw";

// Short bounds so that every fault shows within seconds (the SPEC's defaults are 1s / 5s / 10s / 5s).
const CAPTURE_ENV = {
  CAPTURE_POLL_INTERVAL: "200ms",
  SOURCE_CONNECT_TIMEOUT: "1s",
  SOURCE_STATEMENT_TIMEOUT: "1s",
  SOURCE_BACKLOG_INTERVAL: "300ms",
  // A job held by a killed dispatcher goes back to the queue quickly; the outbox is swept often.
  STALLED_JOB_TIMEOUT: "1s",
  OUTBOX_SWEEP_INTERVAL: "300ms",
};

const ORDERS = "db.public.orders.";

interface CapturedEvent {
  id: string;
  eventType: string;
  idempotencyKey: string | null;
  data: any;
}

describe("database change sources under faults", () => {
  // What one test started, stopped after it so that no dispatcher of an earlier test competes for the CPU.
  let stacks: Stack[] = [];
  let receivers: TestReceiver[] = [];
  let dispatchers: RunningProcess[] = [];
  let proxies: TcpProxy[] = [];
  let sourceDatabases: SourceDatabase[] = [];
  // Phase timings of the current test, printed after it (the report's numbers).
  let timeline: string[] = [];
  let startedAt = 0;

  beforeEach(() => {
    timeline = [];
    startedAt = Date.now();
  });

  afterEach(async () => {
    process.stderr.write(`${expect.getState().currentTestName}\n  ${timeline.join("\n  ")}\n`);
    for (const one of dispatchers)
      if (one.child.exitCode === null && one.child.signalCode === null) one.child.kill("SIGKILL");
    await Promise.all(dispatchers.map((one) => one.exited));
    await Promise.all(proxies.map((proxy) => proxy.close()));
    await Promise.all(stacks.map((stack) => stack.stop()));
    await Promise.all(receivers.map((receiver) => receiver.close()));
    await Promise.all(sourceDatabases.map((database) => database.drop()));
    [stacks, receivers, dispatchers, proxies, sourceDatabases] = [[], [], [], [], []];
  }, 30_000);

  function mark(phase: string) {
    timeline.push(`${phase}: ${Date.now() - startedAt} ms`);
  }

  /** `it`, with the output of the test's dispatchers added to a failure's message. */
  function faultTest(name: string, body: () => Promise<void>, timeoutMs: number) {
    it(
      name,
      async () => {
        try {
          await body();
        } catch (error) {
          const logs = dispatchers.map(
            (one, index) => `--- dispatcher ${index} (pid ${one.child.pid}):\n${one.output().slice(-3_000)}`,
          );
          if (error instanceof Error) error.message += `\n${logs.join("\n")}`;
          throw error;
        }
      },
      timeoutMs,
    );
  }

  async function setup() {
    const stack = await startStack(CAPTURE_ENV, { dispatcher: false });
    stacks.push(stack);
    const receiver = await TestReceiver.start();
    receivers.push(receiver);
    const project = await createProject(stack);
    const source = await createSourceDatabase();
    sourceDatabases.push(source);
    await source.query("CREATE TABLE orders (id bigserial PRIMARY KEY, n int NOT NULL, note text)");
    await project.webhook({ url: receiver.url, event_types: [`${ORDERS}*`] });
    mark("stack, project, source database");
    return { stack, receiver, project, source };
  }

  async function spawnDispatcher(stack: Stack, env: Record<string, string> = {}) {
    const dispatcher = await startListeningApp("dispatcher", {
      ...stack.env,
      LOG_LEVEL: "warn",
      ...CAPTURE_ENV,
      ...env,
    });
    dispatchers.push(dispatcher);
    return dispatcher;
  }

  async function createSource(stack: Stack, project: TestProject, databaseUrl: string) {
    const created = await stack.call("POST", `/v1/projects/${project.id}/sources`, {
      key: ADMIN_KEY,
      body: { name: "orders", database_url: databaseUrl, tables: [{ table: "orders" }] },
    });
    if (created.status !== 201) throw new Error(`source: ${created.status} ${JSON.stringify(created.body)}`);
    return created.body as { id: string; [field: string]: unknown };
  }

  async function getSource(stack: Stack, project: TestProject, sourceId: string) {
    const found = await stack.call("GET", `/v1/projects/${project.id}/sources/${sourceId}`, {
      key: ADMIN_KEY,
    });
    expect(found.status).toBe(200);
    return found.body;
  }

  /** Inserts rows n = from … from+count-1, `perTransaction` rows per committed transaction, in order. */
  async function insertRows(source: SourceDatabase, from: number, count: number, perTransaction = 5) {
    for (let first = from; first < from + count; first += perTransaction) {
      const last = Math.min(first + perTransaction, from + count) - 1;
      await source.transaction((client) =>
        client.query("INSERT INTO orders (n) SELECT generate_series($1::int, $2::int)", [first, last]),
      );
    }
  }

  /** A dispatcher capturing a source reached through a TCP proxy; 5 rows (n 0–4) already captured. */
  async function capturingThroughProxy() {
    const { stack, receiver, project, source } = await setup();
    const proxy = await startTcpProxy(postgresPort(source));
    proxies.push(proxy);
    const dispatcher = await spawnDispatcher(stack);
    const created = await createSource(stack, project, proxiedUrl(source, proxy));
    await insertRows(source, 0, 5);
    await receiver.waitForRequests(5, 15_000);
    await eventually(async () => (await pendingChanges(source)) === 0, 5_000);
    return { stack, receiver, project, source, proxy, dispatcher, created };
  }

  /**
   * Cuts the proxy, commits 20 more rows (n 5–24) directly, and expects the source in `error` within
   * `withinMs`, with a reason and no password, and nothing more captured.
   */
  async function cutAndExpectError(
    {
      stack,
      project,
      source,
      proxy,
      created,
    }: Pick<
      Awaited<ReturnType<typeof capturingThroughProxy>>,
      "stack" | "project" | "source" | "proxy" | "created"
    >,
    mode: "refuse" | "blackhole",
    withinMs: number,
  ) {
    proxy.mode(mode);
    const cutAt = Date.now();
    mark(`proxy: ${mode}`);
    await insertRows(source, 5, 20);
    const down = await expectStatus(stack, project, created.id, "error", withinMs + 2_000);
    const detectedMs = Date.now() - cutAt;
    mark(`status error, ${detectedMs} ms after the cut: ${down.source.last_error}`);
    expect(detectedMs).toBeLessThan(withinMs);
    expect(down.source.last_error).toEqual(expect.any(String));
    expectNoPassword(JSON.stringify(down.source));
    // Nothing could be read through the proxy: the 20 changes wait in the source database.
    expect(await capturedEvents(stack, project)).toHaveLength(5);
    return down;
  }

  async function capturedEvents(stack: Stack, project: TestProject): Promise<CapturedEvent[]> {
    return stack.db.event.findMany({
      where: { projectId: project.id, eventType: { startsWith: ORDERS } },
      orderBy: { id: "asc" },
      select: { id: true, eventType: true, idempotencyKey: true, data: true },
    });
  }

  async function pendingChanges(source: SourceDatabase): Promise<number> {
    const { rows } = await source.query("SELECT count(*)::int AS count FROM hookrelay_capture.changes");
    return rows[0].count;
  }

  /**
   * Every row n = 0 … rows-1 became exactly one event and left the change table. Returns the events by id;
   * the tests check their order last (expectCommitOrder), so that a wrong order does not hide other faults.
   */
  async function expectEachChangeOnce(
    stack: Stack,
    project: TestProject,
    source: SourceDatabase,
    rows: number,
  ) {
    const events = await eventually(async () => {
      const found = await capturedEvents(stack, project);
      return found.length >= rows ? found : undefined;
    }, 20_000);
    // The change table empty: each change was ingested before its row went (ingest, then delete), and no
    // row is left for a capture to ingest a second time. What is stored now is final.
    await eventually(async () => (await pendingChanges(source)) === 0, 10_000);
    const settled = await capturedEvents(stack, project);
    expect(settled).toHaveLength(rows);
    expect(settled.map((event) => event.id)).toEqual(events.map((event) => event.id));
    expect(settled.every((event) => event.eventType === `${ORDERS}insert`)).toBe(true);
    const numbers = settled.map((event) => event.data.row.n as number);
    expect([...numbers].sort((a, b) => a - b)).toEqual(Array.from({ length: rows }, (_, n) => n));
    const keys = settled.map((event) => event.idempotencyKey);
    expect(keys.every((key) => typeof key === "string" && key.length > 0)).toBe(true);
    expect(new Set(keys).size).toBe(rows);
    return settled;
  }

  /** Rows were inserted in n order, one writer: event ids (time-sortable) follow it. */
  function expectCommitOrder(events: CapturedEvent[]) {
    expect(events.map((event) => event.data.row.n)).toEqual(events.map((_, n) => n));
  }

  /** Every event reached the receiver; repeats of a delivery carry the same webhook-id and the same event. */
  async function expectEachDelivered(stack: Stack, receiver: TestReceiver, rows: number) {
    await eventually(async () => distinctDeliveries(receiver).size >= rows || undefined, 20_000).catch(
      async (error: Error) => {
        throw new Error(`${error.message}: ${await undelivered(stack, receiver)}`);
      },
    );
    const byId = distinctDeliveries(receiver);
    expect(byId.size).toBe(rows);
    const delivered = [...byId.values()].map((bodies) => {
      expect(new Set(bodies.map((body) => body.event_id)).size).toBe(1);
      return bodies[0]?.data.row.n;
    });
    expect(delivered.sort((a, b) => a - b)).toEqual(Array.from({ length: rows }, (_, n) => n));
  }

  /** Where the deliveries that did not reach the receiver are: their rows, their jobs in Redis. */
  async function undelivered(stack: Stack, receiver: TestReceiver): Promise<string> {
    const received = new Set(distinctDeliveries(receiver).keys());
    const deliveries = await stack.db.delivery.findMany({
      where: { eventType: { startsWith: ORDERS } },
      select: {
        id: true,
        eventId: true,
        status: true,
        enqueuedAt: true,
        attemptCount: true,
        createdAt: true,
      },
    });
    const missing = deliveries.filter((delivery) => !received.has(delivery.eventId));
    const described = await Promise.all(
      missing.slice(0, 10).map(async (delivery) => ({
        ...delivery,
        job: await stack.queue.getJobState(delivery.id),
      })),
    );
    return `${received.size} delivered, ${deliveries.length} deliveries, not delivered: ${JSON.stringify(described)}`;
  }

  function distinctDeliveries(receiver: TestReceiver): Map<string, any[]> {
    const byId = new Map<string, any[]>();
    for (const request of receiver.requests) {
      const id = String(request.headers["webhook-id"]);
      byId.set(id, [...(byId.get(id) ?? []), JSON.parse(request.body.toString())]);
    }
    return byId;
  }

  /** A source's URL whose connections go through `proxy`, with a password the server (trust) ignores. */
  function proxiedUrl(source: SourceDatabase, proxy: TcpProxy): string {
    const url = new URL(source.url);
    url.port = String(proxy.port);
    url.password = PASSWORD;
    return url.toString();
  }

  function postgresPort(source: SourceDatabase): number {
    return Number(new URL(source.url).port || 5432);
  }

  async function expectStatus(
    stack: Stack,
    project: TestProject,
    sourceId: string,
    status: "active" | "error",
    timeoutMs: number,
  ) {
    const started = Date.now();
    const found = await eventually(async () => {
      const current = await getSource(stack, project, sourceId);
      return current.status === status ? current : undefined;
    }, timeoutMs);
    return { source: found, elapsedMs: Date.now() - started };
  }

  /** SIGTERM, then its exit code and how long it took (SIGKILL and code null past 12 s). */
  async function terminate(dispatcher: RunningProcess): Promise<{ code: number | null; exitMs: number }> {
    const termAt = Date.now();
    dispatcher.child.kill("SIGTERM");
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      dispatcher.exited,
      new Promise<null>((resolve) => {
        timer = setTimeout(() => resolve(null), 12_000);
      }),
    ]);
    clearTimeout(timer);
    const exitMs = Date.now() - termAt;
    if (dispatcher.child.exitCode === null && dispatcher.child.signalCode === null)
      dispatcher.child.kill("SIGKILL");
    return { code, exitMs };
  }

  function expectNoPassword(text: string) {
    expect(text).not.toContain(PASSWORD);
  }

  faultTest(
    "changes committed while no dispatcher runs are delivered once one starts, in commit order",
    async () => {
      const { stack, receiver, project, source } = await setup();
      const created = await createSource(stack, project, source.url);
      expect(created).toMatchObject({ status: "active", enabled: true });
      await insertRows(source, 0, 50);
      // The triggers recorded every change although nothing captures yet.
      expect(await pendingChanges(source)).toBe(50);
      expect(await capturedEvents(stack, project)).toHaveLength(0);

      mark("50 rows committed, no dispatcher");
      await spawnDispatcher(stack);
      const events = await expectEachChangeOnce(stack, project, source, 50);
      mark("50 events");
      await expectEachDelivered(stack, receiver, 50);
      mark("50 delivered");
      expectCommitOrder(events);
    },
    40_000,
  );

  faultTest(
    "the capturing dispatcher killed mid-stream: the other takes over, every change is one event",
    async () => {
      const { stack, receiver, project, source } = await setup();
      const created = await createSource(stack, project, source.url);
      const first = await spawnDispatcher(stack);
      const second = await spawnDispatcher(stack);
      const pgPort = postgresPort(source);
      await eventually(
        async () => (await captureHolders(source, pgPort, [first, second])).length === 1,
        15_000,
      );
      mark("one of two dispatchers holds the capture lock");

      const total = 400;
      let inserted = 0;
      // Half the rows go in before the kill, half after it, however fast this machine is: the writer
      // waits at the middle until the kill has happened.
      let killed: () => void = () => undefined;
      const afterKill = new Promise<void>((resolve) => {
        killed = resolve;
      });
      const inserting = (async () => {
        for (let batch = 0; batch < total / 5; batch++) {
          if (batch === total / 10) await afterKill;
          await insertRows(source, batch * 5, 5);
          inserted += 5;
          await new Promise((resolve) => setTimeout(resolve, 40));
        }
      })();
      // Mid-stream: changes flowing, and rows committed that the capture has not reached yet.
      await eventually(
        async () => inserted >= 120 && (await capturedEvents(stack, project)).length > 0,
        15_000,
      );
      const [doomed] = await captureHolders(source, pgPort, [first, second]);
      if (!doomed) throw new Error("no dispatcher holds the capture lock");
      const survivor = doomed === first ? second : first;
      doomed.child.kill("SIGKILL");
      const killedAt = Date.now();
      await doomed.exited;
      expect(inserted).toBeLessThan(total);
      killed();
      const capturedAtKill = (await capturedEvents(stack, project)).length;
      mark(`SIGKILL to the capturing dispatcher (${inserted} rows committed, ${capturedAtKill} events)`);

      // Takeover: the survivor holds the lock, then ingests changes again.
      await eventually(async () => {
        const holders = await captureHolders(source, pgPort, [first, second]);
        return holders.length === 1 && holders[0] === survivor;
      }, 10_000);
      mark(`the survivor holds the lock, ${Date.now() - killedAt} ms after the kill`);
      await eventually(async () => (await capturedEvents(stack, project)).length > capturedAtKill, 10_000);
      const captureResumedMs = Date.now() - killedAt;
      mark(`the survivor ingests, ${captureResumedMs} ms after the kill`);
      expect(captureResumedMs).toBeLessThan(10_000);

      await inserting;
      mark(`last of ${total} rows committed`);
      const events = await expectEachChangeOnce(stack, project, source, total);
      mark(`${total} events`);
      await expectEachDelivered(stack, receiver, total);
      mark(`${total} delivered`);
      expect((await getSource(stack, project, created.id)).status).toBe("active");
      // Across the takeover too: the survivor goes on where the killed one stopped.
      expectCommitOrder(events);
    },
    60_000,
  );

  faultTest(
    "a source database refusing connections: status error without the password, then recovery",
    async () => {
      const { stack, receiver, project, source, proxy, dispatcher, created } = await capturingThroughProxy();
      expectNoPassword(JSON.stringify(created));
      expect(created.database).toBe(`127.0.0.1:${proxy.port}/${source.name}`);
      const down = await cutAndExpectError({ stack, project, source, proxy, created }, "refuse", 5_000);
      expect(down.source.last_error.length).toBeGreaterThan(0);
      expect(await pendingChanges(source)).toBe(20);
      // Let it retry a few times.
      await new Promise((resolve) => setTimeout(resolve, 1_500));

      proxy.mode("forward");
      const up = await expectStatus(stack, project, created.id, "active", 12_000);
      expect(up.source.last_error).toBeNull();
      mark(`status active, ${up.elapsedMs} ms after forward`);
      const events = await expectEachChangeOnce(stack, project, source, 25);
      await expectEachDelivered(stack, receiver, 25);
      mark("25 events, delivered");
      expectNoPassword(dispatcher.output());
      expectCommitOrder(events);
    },
    60_000,
  );

  faultTest(
    "a black-holed source database: noticed within the timeouts, shutdown does not hang, recovery",
    async () => {
      const { stack, receiver, project, source, proxy, dispatcher, created } = await capturingThroughProxy();
      // One statement timeout (the poll in flight) plus one connect timeout, with room for the backoff.
      await cutAndExpectError({ stack, project, source, proxy, created }, "blackhole", 10_000);

      proxy.mode("forward");
      const up = await expectStatus(stack, project, created.id, "active", 15_000);
      expect(up.source.last_error).toBeNull();
      mark(`status active, ${up.elapsedMs} ms after forward`);
      await expectEachChangeOnce(stack, project, source, 25);
      await expectEachDelivered(stack, receiver, 25);
      mark("25 events, delivered");

      // SIGTERM while the capture's connection hangs: the process still exits, cleanly.
      proxy.mode("blackhole");
      await insertRows(source, 25, 5);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const inFlight = await terminate(dispatcher);
      mark(`SIGTERM in a black hole, a poll in flight: ${JSON.stringify(inFlight)}`);
      expect(inFlight.exitMs).toBeLessThan(10_000);
      expect(inFlight.code).toBe(0);

      // The changes of the second black hole are delivered by the next dispatcher, once the network heals.
      proxy.mode("forward");
      const next = await spawnDispatcher(stack);
      const events = await expectEachChangeOnce(stack, project, source, 30);
      mark("30 events (next dispatcher)");
      await expectEachDelivered(stack, receiver, 30);
      mark("30 delivered");

      // SIGTERM at the moment of the cut, when the connection is most often idle between two polls.
      proxy.mode("blackhole");
      const atCut = await terminate(next);
      mark(`SIGTERM at the cut: ${JSON.stringify(atCut)}`);
      expect(atCut.exitMs).toBeLessThan(10_000);
      expect(atCut.code).toBe(0);
      expectNoPassword(dispatcher.output() + next.output());
      expectCommitOrder(events);
    },
    75_000,
  );

  faultTest(
    "hookrelay's Redis down while capturing: changes become events in the outbox, delivered after",
    async () => {
      const { stack, receiver, project, source } = await setup();
      const redisUrl = new URL(stack.env.REDIS_URL ?? "redis://127.0.0.1:6379");
      const redisProxy = await startTcpProxy(Number(redisUrl.port || 6379), redisUrl.hostname);
      proxies.push(redisProxy);
      redisUrl.port = String(redisProxy.port);
      await spawnDispatcher(stack, { REDIS_URL: redisUrl.toString() });
      await createSource(stack, project, source.url);
      await insertRows(source, 0, 5);
      await receiver.waitForRequests(5, 15_000);
      await eventually(async () => (await pendingChanges(source)) === 0, 5_000);

      redisProxy.mode("refuse");
      mark("Redis refused");
      await insertRows(source, 5, 20);
      // Capture does not need Redis: the events and their deliveries are committed, left in the outbox.
      await eventually(async () => (await capturedEvents(stack, project)).length === 25, 10_000);
      await eventually(async () => (await pendingChanges(source)) === 0, 5_000);
      mark("25 events while Redis is down");
      const waiting = await stack.db.delivery.count({
        where: { projectId: project.id, enqueuedAt: null },
      });
      expect(waiting).toBe(20);
      expect(distinctDeliveries(receiver).size).toBe(5);

      redisProxy.mode("forward");
      mark("Redis back");
      const events = await expectEachChangeOnce(stack, project, source, 25);
      await expectEachDelivered(stack, receiver, 25);
      mark("25 delivered");
      expectCommitOrder(events);
    },
    60_000,
  );
});

/**
 * The dispatchers among `candidates` whose connection to the source database holds an advisory lock there:
 * the backend's client port, found among each process's sockets (/proc), so no naming convention is assumed.
 */
async function captureHolders(
  source: SourceDatabase,
  postgresPort: number,
  candidates: RunningProcess[],
): Promise<RunningProcess[]> {
  const { rows } = await source.query(
    `SELECT DISTINCT a.client_port FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.database = (
        SELECT oid FROM pg_database WHERE datname = current_database())`,
  );
  const holders: RunningProcess[] = [];
  for (const { client_port: clientPort } of rows) {
    if (typeof clientPort !== "number" || clientPort < 0) continue;
    const inode = await socketInode(clientPort, postgresPort);
    if (!inode) continue;
    for (const candidate of candidates) {
      if (candidate.child.exitCode !== null || candidate.child.signalCode !== null) continue;
      if (await ownsSocket(candidate.child.pid, inode)) holders.push(candidate);
    }
  }
  return holders;
}

/** The inode of the local TCP socket from `localPort` to `remotePort`, from /proc/net/tcp{,6}. */
async function socketInode(localPort: number, remotePort: number): Promise<string | undefined> {
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    const lines = (await readFile(table, "utf8").catch(() => "")).split("\n").slice(1);
    for (const line of lines) {
      const fields = line.trim().split(/\s+/);
      const [local, remote, inode] = [fields[1], fields[2], fields[9]];
      if (!local || !remote || !inode) continue;
      const port = (address: string) => Number.parseInt(address.split(":").at(-1) ?? "", 16);
      if (port(local) === localPort && port(remote) === remotePort) return inode;
    }
  }
  return undefined;
}

async function ownsSocket(pid: number | undefined, inode: string): Promise<boolean> {
  if (pid === undefined) return false;
  const fds = await readdir(`/proc/${pid}/fd`).catch(() => []);
  for (const fd of fds) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => "");
    if (target === `socket:[${inode}]`) return true;
  }
  return false;
}
