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

export function createLogger(name: string, level: string) {
  return pino({ name, level, redact: { paths: REDACT, censor: "[redacted]" } });
}

export type Logger = ReturnType<typeof createLogger>;
