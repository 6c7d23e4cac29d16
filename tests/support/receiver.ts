import http from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  at: number;
}

export interface Reply {
  status: number;
  /** Wait this long before answering. */
  delayMs?: number;
  body?: string;
  headers?: Record<string, string>;
}

/**
 * A real webhook receiver on 127.0.0.1. Records every request; answers with what `reply` returns for the
 * n-th request (0-based), 200 by default.
 */
export class TestReceiver {
  readonly requests: ReceivedRequest[] = [];
  /** TCP connections accepted so far (a connection that never sent a whole request shows only here). */
  connections = 0;
  reply: (request: ReceivedRequest, index: number) => Reply = () => ({ status: 200, body: "ok" });
  readonly #server: http.Server;
  #waiters: Array<() => void> = [];

  private constructor(server: http.Server) {
    this.#server = server;
  }

  static async start(): Promise<TestReceiver> {
    const server = http.createServer();
    const receiver = new TestReceiver(server);
    server.on("request", (req, res) => receiver.#handle(req, res));
    server.on("connection", () => {
      receiver.connections += 1;
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  #handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const request = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks),
        at: Date.now(),
      };
      const index = this.requests.push(request) - 1;
      const reply = this.reply(request, index);
      for (const wake of this.#waiters.splice(0)) wake();
      const answer = () => {
        if (res.destroyed) return;
        res.writeHead(reply.status, { "content-type": "text/plain", ...reply.headers });
        res.end(reply.body ?? "");
      };
      if (reply.delayMs) setTimeout(answer, reply.delayMs).unref();
      else answer();
    });
  }

  /** Waits until at least `count` requests arrived (bounded by `timeoutMs`). */
  async waitForRequests(count: number, timeoutMs = 15_000): Promise<ReceivedRequest[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.requests.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`expected ${count} requests, got ${this.requests.length}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.requests;
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

/** Polls `check` until it returns a value that is not undefined/false, bounded by `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
