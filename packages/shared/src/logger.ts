import { pino } from "pino";
import pretty from "pino-pretty";

// Secrets never reach a log line: request credentials and anything named like a secret are redacted.
const REDACT = [
  "req.headers.authorization",
  "req.headers.cookie",
  "*.secret",
  "*.api_key",
  "*.apiKey",
  "*.password",
];

/** `json`: one JSON object a line (machines, log shippers); `pretty`: for a person at a terminal. */
export type LogFormat = "json" | "pretty";

/** LOG_FORMAT when set; else pretty when the output is a terminal, JSON when it is a pipe or a file. */
export function resolveLogFormat(setting: LogFormat | undefined, isTerminal: boolean): LogFormat {
  return setting ?? (isTerminal ? "pretty" : "json");
}

/**
 * A logger to stdout (or to `destination`, for tests): JSON unless `format` is `pretty`. Redaction happens
 * before either format sees the line.
 */
export function createLogger(
  name: string,
  level: string,
  destination?: pino.DestinationStream,
  format: LogFormat = "json",
) {
  const options = { name, level, redact: { paths: REDACT, censor: "[redacted]" } };
  if (format === "pretty") {
    // The stream form, synchronous: no worker thread, and no line lost when the process exits right after.
    const stream = pretty({
      sync: true,
      translateTime: "SYS:HH:MM:ss.l",
      ignore: "pid,hostname",
      ...(destination && { destination, colorize: false }),
    });
    return pino(options, stream);
  }
  return destination ? pino(options, destination) : pino(options);
}

export type Logger = ReturnType<typeof createLogger>;
