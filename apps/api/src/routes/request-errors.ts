import type { ErrorRequestHandler, Request, RequestHandler } from "express";
import { ApiError } from "../errors.js";

// Headers whose value is one thing, not a list: Node keeps the first Authorization and Content-Type and
// joins two Idempotency-Keys into "a, b", so a repeated one would be read as something the client did
// not send. 400 instead.
const SINGLE_VALUE_HEADERS = ["authorization", "content-type", "idempotency-key"];

export const refuseRepeatedHeaders: RequestHandler = (req, _res, next) => {
  const repeated = SINGLE_VALUE_HEADERS.find((name) => (req.headersDistinct[name]?.length ?? 0) > 1);
  next(
    repeated
      ? new ApiError(400, "validation_error", `the ${repeated} header is given more than once`)
      : undefined,
  );
};

/**
 * Errors Express and body-parser raise for a request they cannot read (a path segment that is not
 * percent-encoded UTF-8, a Content-Encoding they do not know, a body larger than the limit or shorter than
 * its Content-Length) carry a 4xx status but none of the SPEC's shape; the app's error handler would answer
 * 500 for most of them. They become the SPEC's 400 or 413 here.
 */
export function requestError(error: unknown, req: Request, maxBytes: number): unknown {
  if (error instanceof ApiError) return error;
  const { status, expose, message, type } = (error ?? {}) as {
    status?: unknown;
    expose?: unknown;
    message?: unknown;
    type?: unknown;
  };
  if (typeof status !== "number" || status < 400 || status >= 500) return error;
  if (status === 413 || type === "entity.too.large") {
    return new ApiError(
      413,
      "payload_too_large",
      `request body is larger than MAX_PAYLOAD_BYTES (${maxBytes} bytes)`,
    );
  }
  req.log?.info({ err: error }, "unreadable request");
  let detail = "the request body cannot be read: it does not match its Content-Encoding or Content-Length";
  if (error instanceof URIError) detail = "a path segment is not valid percent-encoded UTF-8";
  else if (type === "encoding.unsupported" && expose === true && typeof message === "string")
    detail = message;
  return new ApiError(400, "validation_error", detail);
}

export const translateRequestErrors =
  (maxBytes: number): ErrorRequestHandler =>
  (error, req, _res, next) =>
    next(requestError(error, req, maxBytes));
