import { retriesExhausted, retryAfterDelay, retryDelay } from "./schedule.js";

describe("retryDelay", () => {
  const schedule = [5_000, 300_000, 1_800_000];

  it("waits exactly the schedule's entry for the attempt at the middle of the jitter band", () => {
    expect(retryDelay(schedule, 1, () => 0.5)).toBe(5_000);
    expect(retryDelay(schedule, 2, () => 0.5)).toBe(300_000);
    expect(retryDelay(schedule, 3, () => 0.5)).toBe(1_800_000);
  });

  it("stays within ±10 % of the entry: -10 % at random 0, +10 % at random 1", () => {
    expect(retryDelay(schedule, 1, () => 0)).toBe(4_500);
    expect(retryDelay(schedule, 1, () => 1)).toBe(5_500);
    expect(retryDelay(schedule, 2, () => 0)).toBe(270_000);
    expect(retryDelay(schedule, 2, () => 1)).toBe(330_000);
    expect(retryDelay(schedule, 3, () => 0)).toBe(1_620_000);
    expect(retryDelay(schedule, 3, () => 1)).toBe(1_980_000);
  });

  it("moves linearly inside the band", () => {
    expect(retryDelay(schedule, 1, () => 0.25)).toBe(4_750);
    expect(retryDelay(schedule, 1, () => 0.75)).toBe(5_250);
  });

  it("repeats the last entry past the end of the schedule", () => {
    for (const attempt of [4, 5, 40, 1_000]) {
      expect(retryDelay(schedule, attempt, () => 0.5)).toBe(1_800_000);
      expect(retryDelay(schedule, attempt, () => 0)).toBe(1_620_000);
      expect(retryDelay(schedule, attempt, () => 1)).toBe(1_980_000);
    }
  });

  it("uses the single entry of a one-entry schedule for every attempt", () => {
    expect(retryDelay([1_000], 1, () => 0.5)).toBe(1_000);
    expect(retryDelay([1_000], 7, () => 1)).toBe(1_100);
  });

  it("spreads real delays across the jitter band", () => {
    const delays = Array.from({ length: 200 }, () => retryDelay(schedule, 1));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(4_500);
    expect(Math.max(...delays)).toBeLessThanOrEqual(5_500);
    expect(delays.every(Number.isInteger)).toBe(true);
    expect(new Set(delays).size).toBeGreaterThan(10);
  });
});

describe("retriesExhausted", () => {
  const first = new Date("2026-01-01T00:00:00Z");
  const maxAgeMs = 14 * 86_400_000;

  it("keeps retrying while the next attempt falls within the maximum age", () => {
    expect(retriesExhausted(first, new Date(first.getTime() + 1_000), maxAgeMs)).toBe(false);
    expect(retriesExhausted(first, new Date(first.getTime() + maxAgeMs - 1), maxAgeMs)).toBe(false);
  });

  it("still allows an attempt exactly at the maximum age", () => {
    expect(retriesExhausted(first, new Date(first.getTime() + maxAgeMs), maxAgeMs)).toBe(false);
  });

  it("ends retrying once the next attempt would be later than the maximum age after the first", () => {
    expect(retriesExhausted(first, new Date(first.getTime() + maxAgeMs + 1), maxAgeMs)).toBe(true);
    expect(retriesExhausted(first, new Date(first.getTime() + 30 * 86_400_000), maxAgeMs)).toBe(true);
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
