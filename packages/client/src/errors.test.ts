import { HookrelayError } from "./errors.js";

const answer = (status: number, headers: Record<string, string> = {}) =>
  new Response(null, { status, headers });

describe("HookrelayError.from", () => {
  it("carries the API's error body: code, message, details", () => {
    const error = HookrelayError.from(answer(422), {
      error: {
        code: "validation_error",
        message: "url: invalid",
        details: [{ path: "url", message: "invalid" }],
      },
    });
    expect(error).toBeInstanceOf(Error);
    expect([error.status, error.code, error.message]).toEqual([422, "validation_error", "url: invalid"]);
    expect(error.details).toEqual([{ path: "url", message: "invalid" }]);
    expect(error.retryable).toBe(false);
  });

  it("reads Retry-After of a 503 and calls it retryable", () => {
    const error = HookrelayError.from(answer(503, { "retry-after": "5" }), {
      error: { code: "unavailable", message: "try again" },
    });
    expect([error.retryAfterSeconds, error.retryable]).toEqual([5, true]);
  });

  it("gives code unknown, and the start of the text, for an answer without the API's body", () => {
    const error = HookrelayError.from(answer(502), `<html>${"x".repeat(500)}</html>`);
    expect(error.code).toBe("unknown");
    expect(error.message.length).toBeLessThan(220);
    expect(error.message).toMatch(/^HTTP 502: <html>/);
    expect(error.retryAfterSeconds).toBeUndefined();
  });
});
