import type { ErrorRequestHandler } from "express";
import type { z } from "zod";

// The SPEC's error codes. Services throw these; one handler turns them into `{error: {code, message}}`.
export type ErrorCode =
  | "validation_error"
  | "not_found"
  | "unauthorized"
  | "forbidden"
  | "conflict"
  | "limit_exceeded"
  | "payload_too_large"
  | "unavailable"
  | "internal";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown[],
  ) {
    super(message);
  }
}

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

/** PostgreSQL's SQLSTATE of a failed query, whether Prisma wrapped it (raw queries) or not. */
export function postgresErrorCode(error: unknown): string | undefined {
  const meta = (error as { meta?: { driverAdapterError?: { cause?: { code?: unknown } } } })?.meta;
  const wrapped = meta?.driverAdapterError?.cause?.code;
  if (typeof wrapped === "string") return wrapped;
  const cause = (error as { cause?: { code?: unknown } })?.cause?.code;
  return typeof cause === "string" ? cause : undefined;
}

// Errors from the database driver or Redis that mean "try again later", not "bug".
const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "57P01",
  "57P03",
  "53300",
  "P1001",
]);

function isUnavailable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    const { code, name } = current as { code?: string; name?: string };
    if ((code && UNAVAILABLE_CODES.has(code)) || name === "DriverAdapterError") return true;
    current = (current as { cause?: unknown }).cause;
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
  res.status(apiError.status).json({ error: body });
};
