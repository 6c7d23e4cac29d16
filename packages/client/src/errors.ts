import type { components } from "./generated/openapi.js";

type ErrorBody = components["schemas"]["Error"]["error"];
export type ErrorCode = ErrorBody["code"];
export type ErrorDetail = NonNullable<ErrorBody["details"]>[number];

/**
 * An answer other than success, with the API's error body: `status`, the SPEC's `code` (`not_found`,
 * `validation_error`, …), `details` per refused field, and `retryAfterSeconds` when the API said when to
 * come back (every 503). An answer without that body (a proxy's 502 page) has code `unknown`.
 */
export class HookrelayError extends Error {
  override name = "HookrelayError";

  constructor(
    readonly status: number,
    readonly code: ErrorCode | "unknown",
    message: string,
    readonly details: ErrorDetail[] = [],
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }

  /** Worth retrying as is: the API or something before it was unavailable. */
  get retryable(): boolean {
    return this.status === 503 || this.status === 502 || this.status === 504 || this.status === 429;
  }

  static from(response: Response, body: unknown): HookrelayError {
    const retryAfter = response.headers.get("retry-after");
    const retryAfterSeconds = retryAfter && /^\d+$/.test(retryAfter) ? Number(retryAfter) : undefined;
    const error = (body as { error?: Partial<ErrorBody> } | undefined)?.error;
    if (error && typeof error.code === "string" && typeof error.message === "string") {
      return new HookrelayError(response.status, error.code, error.message, error.details, retryAfterSeconds);
    }
    const text = typeof body === "string" && body.length > 0 ? `: ${body.slice(0, 200)}` : "";
    return new HookrelayError(
      response.status,
      "unknown",
      `HTTP ${response.status}${text}`,
      [],
      retryAfterSeconds,
    );
  }
}
