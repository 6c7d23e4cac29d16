import { timingSafeEqual } from "node:crypto";
import { signStandardWebhook } from "./signature.js";

export class WebhookVerificationError extends Error {
  override name = "WebhookVerificationError";
}

export interface VerifyOptions {
  /** How far `webhook-timestamp` may be from now, either way. Default 300 s. */
  toleranceSeconds?: number;
  /** For tests: the current time in milliseconds. */
  now?: number;
}

type HeaderBag = Headers | Record<string, string | string[] | undefined>;

function header(headers: HeaderBag, name: string): string | undefined {
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
  const bag = headers as Record<string, string | string[] | undefined>;
  const value = bag[name] ?? Object.entries(bag).find(([key]) => key.toLowerCase() === name)?.[1];
  return Array.isArray(value) ? value[0] : value;
}

function sameSignature(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Verifies a Standard Webhooks signature (compatible with the official libraries) and returns the parsed
 * JSON body. `secret` may list several secrets (e.g. during a rotation); any one matching is enough.
 */
export function verifyWebhook(
  rawBody: string | Buffer,
  headers: HeaderBag,
  secret: string | readonly string[],
  { toleranceSeconds = 300, now = Date.now() }: VerifyOptions = {},
): unknown {
  const id = header(headers, "webhook-id");
  const timestamp = header(headers, "webhook-timestamp");
  const signatures = header(headers, "webhook-signature");
  if (!id || !timestamp || !signatures) throw new WebhookVerificationError("missing required headers");

  const seconds = Number(timestamp);
  if (!/^\d+$/.test(timestamp) || !Number.isSafeInteger(seconds)) {
    throw new WebhookVerificationError("invalid signature timestamp");
  }
  const nowSeconds = Math.floor(now / 1000);
  if (nowSeconds - seconds > toleranceSeconds)
    throw new WebhookVerificationError("message timestamp too old");
  if (seconds - nowSeconds > toleranceSeconds)
    throw new WebhookVerificationError("message timestamp too new");

  const offered = signatures
    .split(" ")
    .filter((entry) => entry.startsWith("v1,"))
    .map((entry) => entry.slice(3));
  const secrets = typeof secret === "string" ? [secret] : secret;
  const matches = secrets.some((one) => {
    const expected = signStandardWebhook(one, id, seconds, rawBody).slice(3);
    return offered.some((candidate) => sameSignature(candidate, expected));
  });
  if (!matches) throw new WebhookVerificationError("no matching signature found");

  try {
    return JSON.parse(typeof rawBody === "string" ? rawBody : rawBody.toString("utf8"));
  } catch {
    throw new WebhookVerificationError("body is not JSON");
  }
}

export interface WebhookMiddlewareOptions extends VerifyOptions {
  /** Largest body read when no body parser ran before this middleware. Default 1 MiB. */
  limitBytes?: number;
}

// The parts of Express's request and response the middleware uses, so that the package needs no Express
// types to install (Express 4 and 5 both fit).
export interface ReceiverRequest extends AsyncIterable<unknown> {
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
}
export interface ReceiverResponse {
  status(code: number): { json(body: unknown): unknown };
}

/** The request once verified: `body` is the parsed event, `rawBody` the bytes that were signed. */
export type VerifiedRequest<Request = ReceiverRequest> = Request & {
  rawBody: Buffer;
};

async function readRawBody(req: ReceiverRequest, limitBytes: number): Promise<Buffer> {
  if (Buffer.isBuffer(req.body)) return req.body;
  if (typeof req.body === "string") return Buffer.from(req.body);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitBytes) throw new WebhookVerificationError("body too large");
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * Express middleware for receivers: reads the raw body (or takes the Buffer from `express.raw()`), verifies
 * it, and sets `req.body` to the parsed event and `req.rawBody` to the bytes. Answers 401 when it fails.
 * Mount it before any JSON body parser: verification needs the exact bytes that were signed.
 */
export function webhookVerifier(secret: string | readonly string[], options: WebhookMiddlewareOptions = {}) {
  const { limitBytes = 1024 * 1024, ...verifyOptions } = options;
  return async (
    req: ReceiverRequest,
    res: ReceiverResponse,
    next: (error?: unknown) => void,
  ): Promise<void> => {
    try {
      const rawBody = await readRawBody(req, limitBytes);
      req.body = verifyWebhook(rawBody, req.headers, secret, verifyOptions);
      (req as VerifiedRequest).rawBody = rawBody;
      next();
    } catch (error) {
      const message = error instanceof WebhookVerificationError ? error.message : "unreadable webhook body";
      res.status(401).json({ error: { code: "unauthorized", message } });
    }
  };
}
