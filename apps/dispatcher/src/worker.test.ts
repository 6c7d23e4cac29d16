import { loadDispatcherConfig } from "./config.js";
import { backoffStrategy, INFRASTRUCTURE_RETRY_CAP_MS, RetryLater } from "./worker.js";

describe("backoffStrategy", () => {
  const config = loadDispatcherConfig({});
  const middle = () => 0.5;

  it("waits exactly what the processor chose after a real attempt", () => {
    expect(backoffStrategy(config, middle)(3, "retry-schedule", new RetryLater(300_000))).toBe(300_000);
  });

  it("retries an error that came from no attempt soon, doubling from 1 s up to a minute", () => {
    const delay = (attemptsMade: number) =>
      backoffStrategy(config, middle)(attemptsMade, "retry-schedule", new Error("db down"));
    expect([1, 2, 3, 4].map(delay)).toEqual([1_000, 2_000, 4_000, 8_000]);
    // Twelve runs in (real attempts and failed runs alike): a minute, not the schedule's 10 hours.
    expect(delay(12)).toBe(INFRASTRUCTURE_RETRY_CAP_MS);
    expect(delay(1_000)).toBe(INFRASTRUCTURE_RETRY_CAP_MS);
  });

  it("spreads those retries by ±10 %", () => {
    const at = (random: number) => backoffStrategy(config, () => random)(2, "retry-schedule", new Error("x"));
    expect(at(0)).toBe(1_800);
    expect(at(0.999_999)).toBe(2_200);
  });
});
