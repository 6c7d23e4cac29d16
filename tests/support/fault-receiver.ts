import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { Readable } from "node:stream";

/** How the receiver answers one request. */
export type Behaviour =
  | { kind: "ok" }
  /** 200, after this long. */
  | { kind: "slow"; delayMs: number }
  /** Never answers (the connection stays open until the client gives up). */
  | { kind: "hang" }
  /** Resets the connection (RST) without answering. */
  | { kind: "reset" }
  /** 200 with a body of this many bytes, streamed (as fast as the client reads it). */
  | { kind: "huge"; bytes: number }
  /** 307 to the very same URL: a client that followed redirects would loop forever. */
  | { kind: "redirect" }
  | { kind: "status"; status: number };

interface Seen {
  requests: number;
  /** Times this delivery was answered 2xx (the receiver took it). */
  accepted: number;
  firstAcceptedAt?: number;
  /**
   * When the dispatcher started the attempt whose copy was taken first (its `webhook-timestamp`, in ms,
   * whole seconds): what matters when telling whether that attempt could have been cut by a crash, as the
   * receiver may read a request some time after it was sent.
   */
  firstAcceptedSentAt?: number;
}

/**
 * A real webhook receiver for fault runs, cheap enough for tens of thousands of deliveries: it keeps counts,
 * not requests. Each webhook gets its own path (`/<route>`); a delivery is identified by its route and its
 * `webhook-id` (the event id, stable across retries), so "delivered more than once" is what a receiver
 * deduping on `webhook-id` would see. `behave` picks the answer from the route and `X-Webhook-Attempt`.
 */
export class FaultReceiver {
  behave: (route: string, attempt: number) => Behaviour = () => ({ kind: "ok" });
  readonly #seen = new Map<string, Seen>();
  readonly #requests = new Map<string, number>();
  readonly #delivered = new Map<string, number>();
  readonly #acceptedAt = new Map<string, number[]>();
  readonly #lastHostileAt = new Map<string, number>();
  readonly #sockets = new Set<Socket>();
  readonly #server: http.Server;

  private constructor(server: http.Server) {
    this.#server = server;
  }

  static async start(): Promise<FaultReceiver> {
    const server = http.createServer({ keepAliveTimeout: 30_000 });
    const receiver = new FaultReceiver(server);
    server.on("request", (req, res) => receiver.#handle(req, res));
    server.on("connection", (socket) => {
      receiver.#sockets.add(socket);
      socket.on("close", () => receiver.#sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return receiver;
  }

  /** The URL a webhook of `route` posts to. */
  url(route: string): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/${route}`;
  }

  #handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const route = (req.url ?? "/").slice(1).split("?")[0] ?? "";
    const eventId = String(req.headers["webhook-id"] ?? "");
    const attempt = Number(req.headers["x-webhook-attempt"] ?? 1);
    const sentAt = Number(req.headers["webhook-timestamp"]) * 1000;
    const key = `${route} ${eventId}`;
    const seen = this.#seen.get(key) ?? { requests: 0, accepted: 0 };
    this.#seen.set(key, seen);
    seen.requests += 1;
    this.#requests.set(route, (this.#requests.get(route) ?? 0) + 1);
    const behaviour = this.behave(route, attempt);
    const accept = () => {
      const now = Date.now();
      seen.accepted += 1;
      if (seen.firstAcceptedAt === undefined) {
        seen.firstAcceptedAt = now;
        this.#delivered.set(route, (this.#delivered.get(route) ?? 0) + 1);
        if (Number.isFinite(sentAt)) seen.firstAcceptedSentAt = sentAt;
      }
      const times = this.#acceptedAt.get(route);
      if (times) times.push(now);
      else this.#acceptedAt.set(route, [now]);
    };
    const hostile = () => this.#lastHostileAt.set(route, Date.now());
    req.resume();
    req.on("end", () => {
      switch (behaviour.kind) {
        case "ok":
          accept();
          res.writeHead(200, { "content-type": "text/plain" }).end("ok");
          return;
        case "slow":
          setTimeout(() => {
            if (res.destroyed) return;
            accept();
            res.writeHead(200, { "content-type": "text/plain" }).end("ok, slowly");
          }, behaviour.delayMs).unref();
          return;
        case "hang":
          hostile();
          return;
        case "reset":
          hostile();
          if (!req.socket.destroyed) req.socket.resetAndDestroy();
          return;
        case "huge": {
          accept();
          res.writeHead(200, { "content-type": "text/plain" });
          const body = hugeBody(behaviour.bytes);
          res.on("close", () => body.destroy());
          body.pipe(res);
          return;
        }
        case "redirect":
          hostile();
          res.writeHead(307, { location: this.url(route) }).end();
          return;
        case "status":
          if (behaviour.status >= 200 && behaviour.status < 300) accept();
          else hostile();
          res.writeHead(behaviour.status, { "content-type": "text/plain" }).end(String(behaviour.status));
          return;
      }
    });
  }

  /** Requests that reached `route`, retries included. */
  requests(route: string): number {
    return this.#requests.get(route) ?? 0;
  }

  /** What the receiver saw of event `eventId` on `route`. */
  seen(route: string, eventId: string): Readonly<Seen> | undefined {
    return this.#seen.get(`${route} ${eventId}`);
  }

  /** Distinct deliveries of `route` answered 2xx at least once. */
  delivered(route: string): number {
    return this.#delivered.get(route) ?? 0;
  }

  /** When `route` first answered 2xx at or after `since` (undefined if it has not). */
  firstAcceptedSince(route: string, since: number): number | undefined {
    let first: number | undefined;
    for (const at of this.#acceptedAt.get(route) ?? [])
      if (at >= since && (first === undefined || at < first)) first = at;
    return first;
  }

  /** The last time `route` answered with a fault (hang, reset, redirect, an error status). */
  lastHostileAt(route: string): number | undefined {
    return this.#lastHostileAt.get(route);
  }

  close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

function hugeBody(bytes: number): Readable {
  const chunk = Buffer.alloc(64 * 1024, "x");
  let left = bytes;
  return new Readable({
    read() {
      if (left <= 0) return void this.push(null);
      const size = Math.min(left, chunk.length);
      left -= size;
      this.push(size === chunk.length ? chunk : chunk.subarray(0, size));
    },
  });
}
