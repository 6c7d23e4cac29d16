import type { DeliverJob, WebhookResponse } from "@hookrelay/shared";
import { loadDispatcherConfig } from "./config.js";
import {
  backoffStrategy,
  decideOutcome,
  INFRASTRUCTURE_RETRY_CAP_MS,
  MAX_SLOT_TRIES,
  mayUseReservedSlot,
  RetryLater,
} from "./worker.js";

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

describe("decideOutcome", () => {
  const config = loadDispatcherConfig({
    RETRY_SCHEDULE: "5s,5m,30m",
    RETRY_MAX_AGE: "1d",
    AUTO_DISABLE_AFTER: "5d",
  });
  const now = new Date("2026-12-01T12:00:00Z");
  const ago = (ms: number) => new Date(now.getTime() - ms);
  const HOUR = 3_600_000;
  const DAY = 24 * HOUR;
  const answer = (
    statusCode: number | null,
    headers: Record<string, string> | null = null,
  ): WebhookResponse => ({
    statusCode,
    responseBody: null,
    responseHeaders: headers,
    latencyMs: 10,
    error: statusCode === null ? "timeout" : null,
  });

  it.each([
    ["a 2xx", answer(204), 1, now, null, { status: "succeeded" }, 0],
    ["a 410", answer(410), 1, now, null, { status: "failed", disableWebhook: "gone_410" }, 0],
    ["a first failure", answer(500), 1, now, null, { status: "retry" }, 5_000],
    [
      "a third failure (the schedule's last step repeats)",
      answer(500),
      5,
      ago(HOUR),
      ago(HOUR),
      { status: "retry" },
      1_800_000,
    ],
    ["a timeout", answer(null), 2, now, now, { status: "retry" }, 300_000],
    [
      "a 429 with Retry-After",
      answer(429, { "retry-after": "120" }),
      1,
      now,
      null,
      { status: "retry" },
      120_000,
    ],
    [
      "a 503 asking for more than the longest delay",
      answer(503, { "retry-after": "86400" }),
      1,
      now,
      null,
      { status: "retry" },
      1_800_000,
    ],
    [
      "a failure whose next try falls past RETRY_MAX_AGE",
      answer(500),
      3,
      ago(DAY - 60_000),
      ago(HOUR),
      { status: "failed" },
      0,
    ],
    [
      "a webhook failing for AUTO_DISABLE_AFTER",
      answer(500),
      9,
      ago(HOUR),
      ago(5 * DAY),
      { status: "failed", disableWebhook: "auto_failing" },
      0,
    ],
    // Re-enabling clears failing_since (issue 11 item 5); an old one left behind would disable it at once.
    ["a re-enabled webhook (failing_since cleared)", answer(500), 1, now, null, { status: "retry" }, 5_000],
    [
      "a re-enabled webhook with an old failing_since left",
      answer(500),
      1,
      now,
      ago(6 * DAY),
      { status: "failed", disableWebhook: "auto_failing" },
      0,
    ],
  ] as const)(
    "%s",
    (_name, response, attemptNumber, firstAttemptAt, failingSince, expected, expectedDelay) => {
      const { outcome, delayMs } = decideOutcome(config, response, {
        attemptNumber,
        firstAttemptAt,
        failingSince,
        now,
      });
      expect(outcome).toMatchObject(expected);
      if (expected.status === "retry") {
        // ±10 % jitter on the schedule; Retry-After is taken as given.
        expect(delayMs).toBeGreaterThanOrEqual(expectedDelay * 0.9);
        expect(delayMs).toBeLessThanOrEqual(expectedDelay * 1.1);
        expect(outcome.status === "retry" && outcome.nextAttemptAt.getTime()).toBe(now.getTime() + delayMs);
      } else expect(delayMs).toBe(expectedDelay);
    },
  );
});

describe("mayUseReservedSlot", () => {
  const now = 1_000_000;
  const reserved = (fields: Partial<DeliverJob>): DeliverJob => ({ deliveryId: "dlv_x", ...fields });
  // 10 per second: a slot is good until 100 ms after its time.
  it.each([
    ["no reservation", reserved({}), 0, false],
    ["a reservation for an earlier try", reserved({ slotAt: now, slotForAttempt: 0 }), 1, false],
    ["on time", reserved({ slotAt: now - 50, slotForAttempt: 2 }), 2, true],
    ["late: reserve again", reserved({ slotAt: now - 500, slotForAttempt: 2, slotTries: 1 }), 2, false],
    [
      "late after MAX_SLOT_TRIES reservations: go anyway",
      reserved({ slotAt: now - 500, slotForAttempt: 2, slotTries: MAX_SLOT_TRIES }),
      2,
      true,
    ],
    // Kept late by a wait for a place: reserving again keeps the rate (the line it joins is short).
    [
      "a minute late after one reservation",
      reserved({ slotAt: now - 60_000, slotForAttempt: 2, slotTries: 1 }),
      2,
      false,
    ],
  ] as const)("%s", (_name, data, attemptsMade, expected) => {
    expect(mayUseReservedSlot(data, attemptsMade, 10, now)).toBe(expected);
  });
});
