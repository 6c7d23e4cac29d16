import { pino } from "pino";

// Secrets never reach a log line: request credentials and anything named like a secret are redacted.
const REDACT = [
  "req.headers.authorization",
  "req.headers.cookie",
  "*.secret",
  "*.api_key",
  "*.apiKey",
  "*.password",
];

/** A JSON logger to stdout (or to `destination`, for tests). */
export function createLogger(name: string, level: string, destination?: pino.DestinationStream) {
  const options = { name, level, redact: { paths: REDACT, censor: "[redacted]" } };
  return destination ? pino(options, destination) : pino(options);
}

export type Logger = ReturnType<typeof createLogger>;
