import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { createLogger } from "@hookrelay/shared";
import express from "express";
import { requestLogging } from "./request-logging.js";

/** An app with only the request-logging middleware, on 127.0.0.1, whose log lines are collected. */
async function serve(level: string) {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const app = express();
  app.use(requestLogging(createLogger("api", level, sink)));
  app.get("/hello", (req, res) => {
    req.log.warn("inside the handler");
    res.json({ id: req.id });
  });
  const server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  /** Waits (bounded) until a collected line satisfies `wanted`; lines are written as responses finish. */
  async function lineWhere(wanted: (line: Record<string, unknown>) => boolean) {
    for (let tries = 0; tries < 100; tries++) {
      const found = lines.find(wanted);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`no such log line in ${JSON.stringify(lines)}`);
  }
  return { base, lines, lineWhere, close: () => new Promise((resolve) => server.close(resolve)) };
}

describe("requestLogging", () => {
  it("at info: one line per request, bound to its id, with the credential redacted", async () => {
    const app = await serve("info");
    try {
      const answer = await fetch(`${app.base}/hello`, {
        headers: { "x-request-id": "req-42", authorization: "Bearer hr_secret-key" },
      });
      expect(answer.headers.get("x-request-id")).toBe("req-42");
      expect(await answer.json()).toEqual({ id: "req-42" });
      // The request line is written once the response has finished: only then is there all to check.
      await app.lineWhere((line) => line.msg === "request completed");
      const completed = app.lines.filter((line) => line.msg === "request completed");
      expect(completed).toHaveLength(1);
      expect(JSON.stringify(app.lines)).not.toContain("hr_secret-key");
      expect(app.lines.find((line) => line.msg === "inside the handler")?.req).toMatchObject({
        id: "req-42",
      });
    } finally {
      await app.close();
    }
  });

  it("above info: no request lines, but every answer still has an id and handlers still log with it", async () => {
    const app = await serve("warn");
    try {
      const answer = await fetch(`${app.base}/hello`, { headers: { "x-request-id": "not valid!" } });
      const id = answer.headers.get("x-request-id");
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(await answer.json()).toEqual({ id });
      // A positive control instead of a pause: a second request, whose handler's line shows that the
      // logger has written what the first request's end would have written by then.
      await fetch(`${app.base}/hello`, { headers: { "x-request-id": "marker" } });
      await app.lineWhere((line) => line.reqId === "marker");
      expect(app.lines.filter((line) => line.msg === "request completed")).toHaveLength(0);
      expect(app.lines).toEqual([
        expect.objectContaining({ msg: "inside the handler", reqId: id }),
        expect.objectContaining({ msg: "inside the handler", reqId: "marker" }),
      ]);
    } finally {
      await app.close();
    }
  });
});
