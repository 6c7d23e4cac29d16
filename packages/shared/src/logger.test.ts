import { Writable } from "node:stream";
import { z } from "zod";
import { commonEnvShape, parseEnv } from "./config/env.js";
import { createLogger, type LogFormat, resolveLogFormat } from "./logger.js";

/** A logger of `format` writing into memory; `text()` is everything written so far. */
function capture(format?: LogFormat) {
  let text = "";
  const destination = new Writable({
    write(chunk, _encoding, done) {
      text += chunk;
      done();
    },
  });
  const logger = createLogger("api", "info", destination, format);
  return { logger, text: () => text };
}

const SECRET = "whsec_c2VjcmV0LW9mLXRoZS10ZXN0";

describe("createLogger", () => {
  it("writes one JSON object a line by default, and when asked for json", () => {
    for (const format of [undefined, "json"] as const) {
      const { logger, text } = capture(format);
      logger.info({ port: 3000 }, "api listening");
      const lines = text().trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0] ?? "")).toMatchObject({ name: "api", msg: "api listening", port: 3000 });
    }
  });

  it("writes lines for a person when asked for pretty: time, level, name, message, fields", () => {
    const { logger, text } = capture("pretty");
    logger.warn({ port: 3000 }, "api listening");
    const output = text();
    expect(output).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] WARN \(api\): api listening\n\s+port: 3000\n$/);
    expect(() => JSON.parse(output)).toThrow();
    // Plain text into a destination that is not a terminal: no colour codes, no pid or hostname.
    expect(output).not.toContain("\u001b[");
    expect(output).not.toMatch(/pid|hostname/);
  });

  it("redacts secrets in both formats", () => {
    for (const format of ["json", "pretty"] as const) {
      const { logger, text } = capture(format);
      logger.info(
        {
          webhook: { secret: SECRET },
          project: { apiKey: SECRET, api_key: SECRET },
          source: { password: SECRET },
          req: { headers: { authorization: `Bearer ${SECRET}`, cookie: `session=${SECRET}` } },
        },
        "created",
      );
      expect(text()).toContain("created");
      expect(text()).not.toContain(SECRET);
      expect(text().match(/\[redacted\]/g)).toHaveLength(6);
    }
  });
});

describe("LOG_FORMAT", () => {
  const schema = z.object(commonEnvShape);

  it("forces a format; unset, a terminal gets pretty and a pipe or file gets JSON", () => {
    expect(resolveLogFormat(parseEnv(schema, { LOG_FORMAT: "json" }).LOG_FORMAT, true)).toBe("json");
    expect(resolveLogFormat(parseEnv(schema, { LOG_FORMAT: "pretty" }).LOG_FORMAT, false)).toBe("pretty");
    expect(resolveLogFormat(parseEnv(schema, { LOG_FORMAT: "" }).LOG_FORMAT, true)).toBe("pretty");
    expect(resolveLogFormat(parseEnv(schema, {}).LOG_FORMAT, false)).toBe("json");
  });

  it("rejects anything else with one line naming the variable", () => {
    expect(() => parseEnv(schema, { LOG_FORMAT: "text" })).toThrow(/^LOG_FORMAT: /);
  });
});
