import net from "node:net";
import { createPrismaClient } from "@hookrelay/db";
import { createTestDatabase, type TestDatabase } from "./support/database.js";
import { type ListeningProcess, startListeningApp } from "./support/processes.js";
import { deleteQueuePrefix, uniqueQueuePrefix } from "./support/queue-prefix.js";
import { eventually } from "./support/receiver.js";

const ADMIN_KEY = "shutdown-test-admin-key";

/** A raw HTTP/1.1 connection, so a request can be left half-sent. */
async function connect(port: number) {
  const socket = net.connect(port, "127.0.0.1");
  await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  let received = "";
  socket.on("data", (chunk) => {
    received += chunk;
  });
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  return { socket, received: () => received, closed };
}

// The built api, as an operator runs it: SIGTERM lets requests in flight finish, then it exits 0.
describe("api graceful shutdown", () => {
  let database: TestDatabase;
  let api: ListeningProcess | undefined;
  const queuePrefix = uniqueQueuePrefix("shutdown");

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    if (api?.child.exitCode === null) api.child.kill("SIGKILL");
    await api?.exited;
    // The event's delivery job, the installation claim: nothing of this test stays in the shared Redis.
    await deleteQueuePrefix(queuePrefix);
    await database?.drop();
  });

  it("finishes a request whose body is still arriving, refuses new connections, and exits 0", async () => {
    api = await startListeningApp("api", {
      DATABASE_URL: database.url,
      QUEUE_PREFIX: queuePrefix,
      ADMIN_API_KEY: ADMIN_KEY,
      LOG_LEVEL: "warn",
    });
    const { port, url: base } = api;
    await eventually(async () => (await fetch(`${base}/readyz`).catch(() => undefined))?.status === 200);
    const project = (await (
      await fetch(`${base}/v1/projects`, {
        method: "POST",
        headers: { authorization: `Bearer ${ADMIN_KEY}`, "content-type": "application/json" },
        body: JSON.stringify({ name: "shutdown" }),
      })
    ).json()) as { id: string; api_key: string };

    // An idle keep-alive connection (one finished request) must not hold the process open.
    const idle = await connect(port);
    idle.socket.write(`GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n`);
    await eventually(async () => idle.received().includes("200 OK"));

    // A request in flight: headers and half the body sent before SIGTERM, the rest after.
    const body = JSON.stringify({ event_type: "order.paid", data: { n: 1 } });
    const inFlight = await connect(port);
    inFlight.socket.write(
      `POST /v1/project/${project.id}/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${project.api_key}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 10)}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    const signalledAt = Date.now();
    api.child.kill("SIGTERM");

    // No new connections once shutting down.
    const refused = await eventually(async () =>
      fetch(`${base}/healthz`).then(
        () => false,
        () => true,
      ),
    );
    expect(refused).toBe(true);
    await idle.closed;

    inFlight.socket.write(body.slice(10));
    await eventually(async () => inFlight.received().includes("\r\n\r\n"));
    expect(inFlight.received()).toMatch(/^HTTP\/1\.1 202 /);
    const eventId = /"event_id":"(evt_[0-9a-z]+)"/.exec(inFlight.received())?.[1];
    expect(eventId).toBeDefined();

    expect(await api.exited).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(8_000);
    const db = createPrismaClient(database.url);
    try {
      expect(await db.event.count({ where: { id: eventId } })).toBe(1);
    } finally {
      await db.$disconnect();
    }
  });
});
