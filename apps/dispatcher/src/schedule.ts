// When the next attempt happens. Pure functions: the worker decides, the backoff strategy only reports.
export const JITTER_RATIO = 0.1;

/** Delay before attempt `attemptNumber + 1`, after `attemptNumber` failed: the schedule's entry ±10 %. */
export function retryDelay(schedule: readonly number[], attemptNumber: number, random = Math.random): number {
  const base = schedule[Math.min(attemptNumber, schedule.length) - 1] ?? schedule.at(-1) ?? 0;
  const jitter = (random() * 2 - 1) * JITTER_RATIO;
  return Math.max(0, Math.round(base * (1 + jitter)));
}

/**
 * The delay a `Retry-After` header asks for (delta-seconds or an HTTP date), capped at `capMs`; null when
 * absent or unreadable. Only 429 and 503 answers carry a meaningful one.
 */
export function retryAfterDelay(
  statusCode: number | null,
  header: string | undefined,
  capMs: number,
  now = Date.now(),
): number | null {
  if ((statusCode !== 429 && statusCode !== 503) || !header) return null;
  const text = header.trim();
  let delayMs: number;
  if (/^\d+$/.test(text)) delayMs = Number(text) * 1000;
  else {
    const at = Date.parse(text);
    if (Number.isNaN(at)) return null;
    delayMs = at - now;
  }
  return Math.min(Math.max(delayMs, 0), capMs);
}

/** True when a retry at `nextAttemptAt` would fall past RETRY_MAX_AGE counted from `firstAttemptAt`. */
export function retriesExhausted(firstAttemptAt: Date, nextAttemptAt: Date, maxAgeMs: number): boolean {
  return nextAttemptAt.getTime() - firstAttemptAt.getTime() > maxAgeMs;
}
