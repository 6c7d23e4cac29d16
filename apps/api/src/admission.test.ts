import http from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import {
  AdmissionBudget,
  admission,
  BODY_COST_FACTOR,
  expectedBodyBytes,
  REQUEST_OVERHEAD_BYTES,
  RETRY_AFTER_SECONDS,
  requestCost,
} from "./admission.js";
import { errorHandler } from "./errors.js";

const MAX = 262_144;

describe("expectedBodyBytes", () => {
  it("is the declared Content-Length, capped at MAX_PAYLOAD_BYTES", () => {
    expect(expectedBodyBytes({ "content-length": "1000" }, MAX)).toBe(1_000);
    expect(expectedBodyBytes({ "content-length": "0" }, MAX)).toBe(0);
    expect(expectedBodyBytes({ "content-length": String(10 * MAX) }, MAX)).toBe(MAX);
  });

  it("is the limit for a body of unknown length and 0 without a body", () => {
    expect(expectedBodyBytes({ "transfer-encoding": "chunked" }, MAX)).toBe(MAX);
    expect(expectedBodyBytes({ "content-length": "not a number" }, MAX)).toBe(MAX);
    expect(expectedBodyBytes({}, MAX)).toBe(0);
  });
});

describe("requestCost", () => {
  it("is the overhead plus the body times the measured factor", () => {
    expect(requestCost(0)).toBe(REQUEST_OVERHEAD_BYTES);
    expect(requestCost(1_000)).toBe(REQUEST_OVERHEAD_BYTES + 1_000 * BODY_COST_FACTOR);
  });
});

describe("AdmissionBudget", () => {
  it("admits until the limit, refuses past it without charging, and takes releases back once", () => {
    const budget = new AdmissionBudget(100);
    const first = budget.admit(60);
    expect(first).toBeDefined();
    expect(budget.admit(50)).toBeUndefined();
    expect(budget.heldBytes).toBe(60);
    const second = budget.admit(40);
    expect(second).toBeDefined();
    expect(budget.heldBytes).toBe(100);
    expect(budget.admit(1)).toBeUndefined();

    first?.();
    first?.();
    expect(budget.heldBytes).toBe(40);
    second?.();
    expect(budget.heldBytes).toBe(0);
  });

  it("always admits a request when nothing is in flight, even one costing more than the limit", () => {
    const budget = new AdmissionBudget(100);
    const large = budget.admit(500);
    expect(large).toBeDefined();
    expect(budget.admit(1)).toBeUndefined();
    large?.();
    expect(budget.heldBytes).toBe(0);
  });
});

/** A deferred the test resolves when it wants the handler to answer. */
function gate() {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

async function waitFor(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function send(
  port: number,
  path: string,
  body: string | undefined,
  agent?: http.Agent,
): { answer: Promise<Answer>; request: http.ClientRequest } {
  const request = http.request({
    host: "127.0.0.1",
    port,
    path,
    method: body === undefined ? "GET" : "POST",
    agent,
    headers: body === undefined ? {} : { "content-type": "application/json", "content-length": body.length },
  });
  const answer = new Promise<Answer>((resolve, reject) => {
    request.on("response", (response) => {
      let text = "";
      response.on("data", (chunk) => {
        text += chunk;
      });
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }),
      );
    });
    request.on("error", reject);
  });
  request.end(body);
  return { answer, request };
}

describe("admission middleware", () => {
  const budget = new AdmissionBudget(Math.floor(requestCost(1_000) * 1.5));
  let server: http.Server;
  let port: number;
  let release = gate();
  const handlerClosed: Array<() => void> = [];
  let handlersEntered = 0;

  beforeAll(async () => {
    const app = express();
    app.use(admission(budget, MAX, { abandonedHoldMs: 300 }));
    app.post("/hold", express.json(), async (_req, res) => {
      handlersEntered++;
      res.once("close", () => handlerClosed.shift()?.());
      await release.opened;
      res.status(202).json({ ok: true });
    });
    app.post("/never", express.json(), (_req, res) => {
      handlersEntered++;
      res.once("close", () => handlerClosed.shift()?.());
    });
    app.get("/quick", (_req, res) => {
      res.json({ held: budget.heldBytes });
    });
    app.use(errorHandler);
    server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    release = gate();
    handlersEntered = 0;
  });

  it("answers 503 unavailable with Retry-After past the budget, and admits again once it frees up", async () => {
    const body = JSON.stringify({ text: "x".repeat(1_000 - 11) });
    expect(body).toHaveLength(1_000);
    const held = send(port, "/hold", body);
    await waitFor(() => budget.heldBytes === requestCost(1_000));

    // A second body of the same size does not fit; a bodiless request does.
    const refused = await send(port, "/hold", body).answer;
    expect(refused.status).toBe(503);
    expect(refused.headers["retry-after"]).toBe(String(RETRY_AFTER_SECONDS));
    expect(JSON.parse(refused.body)).toEqual({ error: { code: "unavailable", message: expect.any(String) } });
    const quick = await send(port, "/quick", undefined).answer;
    expect(quick.status).toBe(200);
    expect(JSON.parse(quick.body)).toEqual({ held: requestCost(1_000) + requestCost(0) });

    release.open();
    expect((await held.answer).status).toBe(202);
    await waitFor(() => budget.heldBytes === 0);
    expect((await send(port, "/hold", body).answer).status).toBe(202);
    await waitFor(() => budget.heldBytes === 0);
  });

  it("keeps the connection usable after refusing a request whose body it did not read", async () => {
    const body = JSON.stringify({ text: "y".repeat(20_000) });
    const held = send(port, "/hold", body);
    await waitFor(() => budget.heldBytes > 0);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const refused = send(port, "/hold", body, agent);
      const sockets: unknown[] = [];
      refused.request.on("socket", (socket) => sockets.push(socket));
      expect((await refused.answer).status).toBe(503);
      release.open();
      expect((await held.answer).status).toBe(202);
      await waitFor(() => budget.heldBytes === 0);
      const next = send(port, "/quick", undefined, agent);
      next.request.on("socket", (socket) => sockets.push(socket));
      expect((await next.answer).status).toBe(200);
      expect(sockets).toHaveLength(2);
      expect(sockets[1]).toBe(sockets[0]);
    } finally {
      agent.destroy();
    }
  });

  it("holds the charge of a request whose client left until its handler ends", async () => {
    const closed = new Promise<void>((resolve) => handlerClosed.push(resolve));
    const body = JSON.stringify({ n: 1 });
    const { answer, request } = send(port, "/hold", body);
    answer.catch(() => undefined);
    await waitFor(() => handlersEntered === 1);
    request.destroy();
    await closed;
    // The handler is still working on it: the charge stays.
    expect(budget.heldBytes).toBe(requestCost(body.length));
    release.open();
    await waitFor(() => budget.heldBytes === 0);
  });

  it("gives the charge back after the hold when the handler of a left request never answers", async () => {
    const closed = new Promise<void>((resolve) => handlerClosed.push(resolve));
    const body = JSON.stringify({ n: 1 });
    const { answer, request } = send(port, "/never", body);
    answer.catch(() => undefined);
    await waitFor(() => handlersEntered === 1);
    request.destroy();
    await closed;
    const closedAt = Date.now();
    expect(budget.heldBytes).toBe(requestCost(body.length));
    await waitFor(() => budget.heldBytes === 0);
    expect(Date.now() - closedAt).toBeGreaterThanOrEqual(250);
  });
});
