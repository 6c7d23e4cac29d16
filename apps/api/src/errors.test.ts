import type { AddressInfo } from "node:net";
import express from "express";
import {
  ApiError,
  DEPENDENCY_RETRY_AFTER_SECONDS,
  errorHandler,
  isUnavailable,
  postgresErrorCode,
} from "./errors.js";

// Shapes as Prisma 6.19 with @prisma/adapter-pg throws them (recorded against a dead port and a live server).
const wrapped = (code: string, cause: Record<string, unknown>) => ({
  name: "PrismaClientKnownRequestError",
  code,
  meta: { driverAdapterError: { name: "DriverAdapterError", cause } },
});

describe("isUnavailable", () => {
  it("is true for node-postgres's own timeouts (no code) and a statement timeout", () => {
    expect(isUnavailable(new Error("Query read timeout"))).toBe(true);
    expect(isUnavailable(new Error("timeout exceeded when trying to connect"))).toBe(true);
    expect(isUnavailable(new Error("Connection terminated due to connection timeout"))).toBe(true);
    expect(isUnavailable(wrapped("P2010", { kind: "postgres", code: "57014", originalCode: "57014" }))).toBe(
      true,
    );
    expect(isUnavailable(new Error("syntax error at or near SELEC"))).toBe(false);
  });

  it("is true when the database or Redis cannot be reached", () => {
    expect(
      isUnavailable(wrapped("P1001", { kind: "DatabaseNotReachable", host: "127.0.0.1", port: 1 })),
    ).toBe(true);
    expect(
      isUnavailable(wrapped("P2010", { kind: "DatabaseNotReachable", host: "127.0.0.1", port: 1 })),
    ).toBe(true);
    expect(isUnavailable(wrapped("P2010", { kind: "ConnectionClosed" }))).toBe(true);
    expect(isUnavailable(wrapped("P2010", { kind: "postgres", code: "57P01", originalCode: "57P01" }))).toBe(
      true,
    );
    expect(isUnavailable(wrapped("P2010", { kind: "postgres", code: "08006", originalCode: "08006" }))).toBe(
      true,
    );
    expect(isUnavailable(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }))).toBe(
      true,
    );
    expect(
      isUnavailable(new Error("outer", { cause: Object.assign(new Error("x"), { code: "ETIMEDOUT" }) })),
    ).toBe(true);
  });

  it("is false for a query that failed on a reachable database (a bug, not an outage)", () => {
    expect(isUnavailable(wrapped("P2010", { kind: "postgres", code: "22012", originalCode: "22012" }))).toBe(
      false,
    );
    expect(isUnavailable(wrapped("P2010", { kind: "TableDoesNotExist", table: "nope" }))).toBe(false);
    expect(isUnavailable(wrapped("P2010", { kind: "UniqueConstraintViolation" }))).toBe(false);
    expect(isUnavailable(new Error("plain"))).toBe(false);
  });
});

describe("postgresErrorCode", () => {
  it("reads the SQLSTATE through Prisma's wrapping", () => {
    expect(postgresErrorCode(wrapped("P2010", { kind: "postgres", code: "22P05" }))).toBe("22P05");
    expect(postgresErrorCode(new Error("plain"))).toBeUndefined();
  });
});

describe("errorHandler", () => {
  async function answer(error: unknown) {
    const app = express();
    app.get("/", () => {
      throw error;
    });
    app.use(errorHandler);
    const server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    try {
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      return {
        status: response.status,
        retryAfter: response.headers.get("retry-after"),
        body: await response.json(),
      };
    } finally {
      server.close();
    }
  }

  it("answers every 503 with Retry-After: the error's own, else the one for a dependency outage", async () => {
    const outage = await answer(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }));
    expect(outage).toEqual({
      status: 503,
      retryAfter: String(DEPENDENCY_RETRY_AFTER_SECONDS),
      body: { error: { code: "unavailable", message: expect.any(String) } },
    });
    const busy = await answer(new ApiError(503, "unavailable", "busy", undefined, 1));
    expect(busy.retryAfter).toBe("1");
    const missing = await answer(new ApiError(404, "not_found", "webhook not found"));
    expect(missing).toEqual({
      status: 404,
      retryAfter: null,
      body: { error: { code: "not_found", message: "webhook not found" } },
    });
  });
});
