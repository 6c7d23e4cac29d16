import http from "node:http";
import https from "node:https";
import net, { type LookupFunction } from "node:net";
import got, { type Got, RequestError } from "got";
import { isBlockedAddress, type Resolver, systemResolver, targetHost } from "./addresses.js";

export const RESPONSE_BODY_LIMIT = 1024;

export interface WebhookRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
}

export interface WebhookResponse {
  statusCode: number | null;
  /** The first 1024 bytes of the response body, as UTF-8. */
  responseBody: string | null;
  responseHeaders: Record<string, string> | null;
  latencyMs: number;
  /** A named failure (timeout, connection_refused, …) or null when an HTTP answer arrived. */
  error: string | null;
}

// got's error codes, named the way the SPEC names failures.
const ERROR_NAMES: Record<string, string> = {
  EBLOCKEDADDRESS: "blocked_address",
  ETIMEDOUT: "timeout",
  ECONNREFUSED: "connection_refused",
  ECONNRESET: "connection_reset",
  EPIPE: "connection_reset",
  ENOTFOUND: "dns_failure",
  EAI_AGAIN: "dns_failure",
  EHOSTUNREACH: "host_unreachable",
  ENETUNREACH: "host_unreachable",
};

export function nameRequestError(error: unknown): string {
  const code = (error as { code?: string }).code ?? "";
  if (ERROR_NAMES[code]) return ERROR_NAMES[code];
  if (/CERT|SSL|TLS|EPROTO/.test(code)) return "tls_error";
  if (code === "ERR_BODY_TOO_LARGE") return "response_too_large";
  return error instanceof RequestError ? "request_error" : "internal_error";
}

function firstValues(headers: http.IncomingHttpHeaders): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).flatMap(([name, value]) =>
      value === undefined ? [] : [[name, Array.isArray(value) ? value.join(", ") : value]],
    ),
  );
}

const BLOCKED = "EBLOCKEDADDRESS";

function blockedAddressError(hostname: string): Error {
  return Object.assign(new Error(`${hostname} resolves to a blocked address`), { code: BLOCKED });
}

/**
 * DNS for outgoing webhooks: the dispatcher resolves the name itself and refuses the connection when any
 * answer is a blocked address, so a name that was public at create time cannot be rebound to an internal
 * one. The socket connects only to an address returned (and checked) here.
 */
export function guardedLookup(resolve: Resolver, allowPrivateTargets: boolean): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (answers) => {
        const wanted = options.family === 4 || options.family === 6 ? options.family : 0;
        const usable = wanted ? answers.filter((answer) => answer.family === wanted) : answers;
        if (!allowPrivateTargets && answers.some((answer) => isBlockedAddress(answer.address))) {
          return callback(blockedAddressError(hostname), "", 0);
        }
        const [first] = usable;
        if (!first) {
          return callback(
            Object.assign(new Error(`no address for ${hostname}`), { code: "ENOTFOUND" }),
            "",
            0,
          );
        }
        if (options.all) return (callback as unknown as (e: null, all: typeof usable) => void)(null, usable);
        callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, "", 0),
    );
  };
}

export interface WebhookHttpClientOptions {
  allowPrivateTargets: boolean;
  /** DNS resolution; tests inject their own to simulate rebinding. */
  resolve?: Resolver;
}

/**
 * The one HTTP client that sends webhooks: got with keep-alive agents, no got retries (the queue retries),
 * never following redirects (a 3xx is a failed attempt), a hard per-attempt timeout, and only the first
 * 1 KiB of the response read before the connection is let go.
 */
export class WebhookHttpClient {
  readonly #got: Got;
  readonly #agents = {
    http: new http.Agent({ keepAlive: true, maxSockets: 256 }),
    https: new https.Agent({ keepAlive: true, maxSockets: 256 }),
  };

  readonly #allowPrivateTargets: boolean;

  constructor({ allowPrivateTargets, resolve = systemResolver }: WebhookHttpClientOptions) {
    this.#allowPrivateTargets = allowPrivateTargets;
    this.#got = got.extend({
      dnsLookup: guardedLookup(resolve, allowPrivateTargets),
      agent: this.#agents,
      followRedirect: false,
      retry: { limit: 0 },
      throwHttpErrors: false,
      decompress: true,
    });
  }

  send(request: WebhookRequest): Promise<WebhookResponse> {
    const started = performance.now();
    const latency = () => Math.round(performance.now() - started);
    // An IP literal never reaches the lookup above, so it is checked here.
    const host = targetHost(new URL(request.url));
    if (!this.#allowPrivateTargets && net.isIP(host) && isBlockedAddress(host)) {
      return Promise.resolve({
        statusCode: null,
        responseBody: null,
        responseHeaders: null,
        latencyMs: latency(),
        error: "blocked_address",
      });
    }
    return new Promise((resolve) => {
      const stream = this.#got.stream.post(request.url, {
        body: request.body,
        headers: request.headers,
        timeout: { request: request.timeoutMs },
      });
      let statusCode: number | null = null;
      let responseHeaders: Record<string, string> | null = null;
      const chunks: Buffer[] = [];
      let size = 0;
      let settled = false;
      const finish = (error: string | null) => {
        if (settled) return;
        settled = true;
        const responseBody =
          statusCode === null
            ? null
            : Buffer.concat(chunks).subarray(0, RESPONSE_BODY_LIMIT).toString("utf8");
        resolve({ statusCode, responseBody, responseHeaders, latencyMs: latency(), error });
      };
      stream.on("response", (response: http.IncomingMessage) => {
        statusCode = response.statusCode ?? null;
        responseHeaders = firstValues(response.headers);
      });
      stream.on("data", (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
        if (size >= RESPONSE_BODY_LIMIT) {
          finish(null);
          stream.destroy();
        }
      });
      stream.on("end", () => finish(null));
      stream.on("error", (error) => finish(statusCode !== null && !settled ? null : nameRequestError(error)));
    });
  }

  close(): void {
    this.#agents.http.destroy();
    this.#agents.https.destroy();
  }
}
