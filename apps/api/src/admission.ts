import type { IncomingHttpHeaders } from "node:http";
import type { RequestHandler } from "express";
import { ApiError } from "./errors.js";

// Admission control: the api holds at most a budget of memory for requests in flight, and answers 503 to a
// request that would go over it, before reading its body. Without it a burst of large events (400 × 250 KB)
// drove the heap past its cap (192 MB, scripts/app-command.js) and the process died with every request in it.
//
// What a request costs is estimated from its body's size, measured on this api (built, with the heap cap,
// live heap after each mark-compact under N concurrent 250 KB events; idle: 31 MB):
// - a JSON body costs 6× its size as one long string, 8× as realistic order line items, and up to 29× as
//   the densest valid JSON, `{"a":[{},{},…]}` (one object per 3 bytes): the raw bytes, the decoded text,
//   the parsed value, the stored text and envelope, the statement's parameters. Valid input must never crash
//   the api, so the worst case is what is charged, with a margin;
// - a request with no body still holds ~15 KB (1,000 concurrent small events: +14.4 MB).
export const BODY_COST_FACTOR = 32;
export const REQUEST_OVERHEAD_BYTES = 16 * 1024;

/** Seconds a refused client should wait: a full budget frees up as the requests in it finish (~100 ms each). */
export const RETRY_AFTER_SECONDS = 1;

/**
 * How long the charge of a request whose client went away stays held while its handler may still be
 * working on it (parsed body in hand). The handler normally ends well before (database statements time out
 * after 15 s by default); this bound only makes sure a handler that never answers cannot hold it forever.
 */
export const ABANDONED_HOLD_MS = 30_000;

/** The memory a request is charged: its overhead plus its body's bytes times the measured factor. */
export function requestCost(bodyBytes: number): number {
  return REQUEST_OVERHEAD_BYTES + bodyBytes * BODY_COST_FACTOR;
}

/**
 * The body bytes a request may bring, known before any is read: its Content-Length, at most
 * `maxPayloadBytes` (a larger body is refused with 413 by its declared length, unread); a body of unknown
 * length (chunked) may be as large as that limit, so it is charged the limit. Counting a chunked body as it
 * streams instead would mean refusing it halfway, after its handler has started.
 */
export function expectedBodyBytes(headers: IncomingHttpHeaders, maxPayloadBytes: number): number {
  if (headers["transfer-encoding"] !== undefined) return maxPayloadBytes;
  const declared = headers["content-length"];
  if (declared === undefined) return 0;
  const bytes = Number(declared);
  return Number.isSafeInteger(bytes) && bytes >= 0 ? Math.min(bytes, maxPayloadBytes) : maxPayloadBytes;
}

/** The memory budget of requests in flight. Pure accounting; the middleware below wires it to requests. */
export class AdmissionBudget {
  private held = 0;

  constructor(readonly limitBytes: number) {}

  /** Bytes charged to requests in flight now. */
  get heldBytes(): number {
    return this.held;
  }

  /**
   * Charges `cost`, or refuses (undefined, nothing charged) when it would take the budget over its limit.
   * A request is always admitted when nothing else is in flight, so no request can be refused forever.
   * The returned release gives the charge back; calling it again does nothing.
   */
  admit(cost: number): (() => void) | undefined {
    if (this.held > 0 && this.held + cost > this.limitBytes) return undefined;
    this.held += cost;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.held -= cost;
    };
  }
}

// 503 `unavailable`, not 429 `limit_exceeded`: the budget is shared by every client, so the one refused
// usually did nothing wrong (429 says "you sent too many"; Stripe and Svix use it for a caller's own rate).
// 503 with Retry-After is HTTP's "overloaded, try again shortly" (RFC 9110 §15.6.4), the SPEC already lists
// it for a service that cannot take the request right now, and the Stripe and Svix client libraries, like
// most HTTP clients and queues with a retry policy, retry a 503 after backing off.
function overloaded(): ApiError {
  return new ApiError(
    503,
    "unavailable",
    `the api is at its limit of requests in flight; retry in ${RETRY_AFTER_SECONDS} s`,
    undefined,
    RETRY_AFTER_SECONDS,
  );
}

/**
 * Charges each request's cost to `budget` before its body is read, or answers 503 with Retry-After. The
 * body of a refused request is never buffered: after the answer Node reads it into nothing and keeps the
 * connection, so a client still sending it reads the answer, not a reset.
 *
 * The charge is given back exactly once: when the answer has been sent (`finish`), or, when the
 * connection closes first, when the handler ends its answer or after `abandonedHoldMs` at the latest —
 * releasing at the close would let clients that time out and retry pile work on an api already over its
 * budget.
 */
export function admission(
  budget: AdmissionBudget,
  maxPayloadBytes: number,
  { abandonedHoldMs = ABANDONED_HOLD_MS }: { abandonedHoldMs?: number } = {},
): RequestHandler {
  return (req, res, next) => {
    const release = budget.admit(requestCost(expectedBodyBytes(req.headers, maxPayloadBytes)));
    if (!release) {
      next(overloaded());
      return;
    }
    // Registered in the same turn as the charge: no await in between, so no path can miss them.
    res.once("finish", release);
    res.once("close", () => {
      if (res.writableFinished || res.writableEnded) {
        release();
        return;
      }
      const hold = setTimeout(release, abandonedHoldMs);
      hold.unref();
      const end = res.end;
      res.end = function endAfterClose(this: typeof res, ...args: Parameters<typeof res.end>) {
        clearTimeout(hold);
        release();
        return end.apply(this, args);
      } as typeof res.end;
    });
    next();
  };
}
