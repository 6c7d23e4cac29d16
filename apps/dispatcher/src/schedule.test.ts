import { retriesExhausted, retryAfterDelay, retryDelay } from "./schedule.js";

describe("retry schedule", () => {
  const schedule = [5_000, 300_000, 1_800_000];

  it("waits the schedule's entry for the attempt, within ±10 %", () => {
    expect(retryDelay(schedule, 1, () => 0.5)).toBe(5_000);
    expect(retryDelay(schedule, 1, () => 0)).toBe(4_500);
    expect(retryDelay(schedule, 1, () => 1)).toBe(5_500);
    expect(retryDelay(schedule, 2, () => 0.5)).toBe(300_000);
  });

  it("repeats the last entry past the end", () => {
    expect(retryDelay(schedule, 3, () => 0.5)).toBe(1_800_000);
    expect(retryDelay(schedule, 40, () => 0.5)).toBe(1_800_000);
  });

  it("spreads real delays across the jitter band", () => {
    const delays = Array.from({ length: 200 }, () => retryDelay(schedule, 1));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(4_500);
    expect(Math.max(...delays)).toBeLessThanOrEqual(5_500);
    expect(new Set(delays).size).toBeGreaterThan(10);
  });

  it("ends retrying once the next attempt would pass the maximum age", () => {
    const first = new Date(0);
    expect(retriesExhausted(first, new Date(1_000), 2_000)).toBe(false);
    expect(retriesExhausted(first, new Date(2_001), 2_000)).toBe(true);
  });
});

describe("Retry-After", () => {
  const now = Date.parse("2026-11-23T10:00:00Z");

  it("reads delta-seconds and HTTP dates on 429 and 503, capped", () => {
    expect(retryAfterDelay(429, "7", 60_000, now)).toBe(7_000);
    expect(retryAfterDelay(503, "Mon, 23 Nov 2026 10:00:30 GMT", 60_000, now)).toBe(30_000);
    expect(retryAfterDelay(503, "86400", 60_000, now)).toBe(60_000);
    expect(retryAfterDelay(429, "Mon, 23 Nov 2026 09:00:00 GMT", 60_000, now)).toBe(0);
  });

  it("ignores it on other statuses, when absent, or when unreadable", () => {
    expect(retryAfterDelay(500, "7", 60_000, now)).toBeNull();
    expect(retryAfterDelay(429, undefined, 60_000, now)).toBeNull();
    expect(retryAfterDelay(429, "soon", 60_000, now)).toBeNull();
  });
});
