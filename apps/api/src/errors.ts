import { postgresErrorCode } from "@hookrelay/db";
import type { ErrorCode } from "@hookrelay/shared";
import type { ErrorRequestHandler } from "express";
import type { z } from "zod";

export type { ErrorCode };
export { postgresErrorCode };

// Services throw these; one handler turns them into the SPEC's `{error: {code, message, details?}}`.
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown[],
    /** Sent as `Retry-After` (seconds); every 503 has one (DEPENDENCY_RETRY_AFTER_SECONDS unless set). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/**
 * `Retry-After` of a 503 for PostgreSQL or Redis not answering: long enough for a failover or a restart to
 * make progress, short enough that a client retrying it loses little (Stripe's and Svix's SDKs back off
 * on their own as well).
 */
export const DEPENDENCY_RETRY_AFTER_SECONDS = 5;

export const notFound = (what: string) => new ApiError(404, "not_found", `${what} not found`);
export const unauthorized = (message = "missing or invalid API key") =>
  new ApiError(401, "unauthorized", message);
export const forbidden = (message = "this key does not grant access to that project") =>
  new ApiError(403, "forbidden", message);
export const conflict = (message: string) => new ApiError(409, "conflict", message);
export const limitExceeded = (message: string) => new ApiError(409, "limit_exceeded", message);

export function validationError(error: z.ZodError): ApiError {
  const details = error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message }));
  const first = details[0];
  const message = first ? `${first.path || "body"}: ${first.message}` : "invalid request";
  return new ApiError(422, "validation_error", message, details);
}

/** Parses `input` with `schema`, or throws the SPEC's 422. */
export function parseOr422<Schema extends z.ZodType>(schema: Schema, input: unknown): z.infer<Schema> {
  const result = schema.safeParse(input);
  if (!result.success) throw validationError(result.error);
  return result.data;
}

// Errors from the database driver or Redis that mean "try again later", not "bug": socket errors, Prisma's
// "can't reach the database", PostgreSQL's connection exceptions (class 08), shutdown and too many clients.
const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "P1001",
  "57P01",
  "57P02",
  "57P03",
  "53300",
  // query_canceled: DATABASE_STATEMENT_TIMEOUT ran out (the database is too slow right now).
  "57014",
]);
// node-postgres's own timeouts carry no code: their messages are its API.
const UNAVAILABLE_MESSAGES = [
  "Query read timeout",
  "timeout exceeded when trying to connect",
  "Connection terminated due to connection timeout",
  "Connection terminated unexpectedly",
];
// The kinds @prisma/adapter-pg gives a DriverAdapterError when the connection, not the query, failed.
const UNAVAILABLE_KINDS = new Set([
  "DatabaseNotReachable",
  "ConnectionClosed",
  "SocketTimeout",
  "TooManyConnections",
  "TlsConnectionError",
]);

export function isUnavailable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current && depth < 6; depth++) {
    const { code, kind, message, meta, cause } = current as {
      code?: unknown;
      kind?: unknown;
      message?: unknown;
      meta?: { driverAdapterError?: unknown };
      cause?: unknown;
    };
    if (typeof code === "string" && (UNAVAILABLE_CODES.has(code) || code.startsWith("08"))) return true;
    if (typeof message === "string" && UNAVAILABLE_MESSAGES.some((known) => message.includes(known)))
      return true;
    if (typeof kind === "string" && UNAVAILABLE_KINDS.has(kind)) return true;
    // Prisma wraps the driver's error (raw queries: P2010) in meta.driverAdapterError.
    current = meta?.driverAdapterError ?? cause;
  }
  return false;
}

export const errorHandler: ErrorRequestHandler = (error, req, res, _next) => {
  let apiError: ApiError;
  if (error instanceof ApiError) apiError = error;
  else if (error?.type === "entity.too.large") {
    apiError = new ApiError(413, "payload_too_large", "request body is larger than MAX_PAYLOAD_BYTES");
  } else if (error?.type === "entity.parse.failed") {
    apiError = new ApiError(400, "validation_error", "request body is not valid JSON");
  } else if (isUnavailable(error)) {
    req.log?.warn({ err: error }, "dependency unavailable");
    apiError = new ApiError(503, "unavailable", "a backing service is unavailable; try again");
  } else {
    req.log?.error({ err: error }, "unhandled error");
    apiError = new ApiError(500, "internal", "internal error");
  }
  const body: { code: ErrorCode; message: string; details?: unknown[] } = {
    code: apiError.code,
    message: apiError.message,
  };
  if (apiError.details) body.details = apiError.details;
  if (apiError.status === 503) {
    res.setHeader("Retry-After", String(apiError.retryAfterSeconds ?? DEPENDENCY_RETRY_AFTER_SECONDS));
  }
  res.status(apiError.status).json({ error: body });
};
