import { ConfigError } from "@hookrelay/shared";
import { loadDispatcherConfig } from "./config.js";

describe("dispatcher config", () => {
  it("defaults to the SPEC's values", () => {
    const config = loadDispatcherConfig({});
    expect(config).toMatchObject({
      port: 3001,
      retrySchedule: [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000],
      retryMaxAgeMs: 14 * 86_400_000,
      deliveryTimeoutMs: 20_000,
      concurrency: 100,
      logLevel: "info",
      allowPrivateTargets: true,
      redisUrl: "redis://127.0.0.1:6379",
    });
  });

  it("reads short schedules for tests", () => {
    expect(loadDispatcherConfig({ RETRY_SCHEDULE: "1s,1s", RETRY_MAX_AGE: "30s" })).toMatchObject({
      retrySchedule: [1_000, 1_000],
      retryMaxAgeMs: 30_000,
    });
  });

  it.each([
    ["RETRY_SCHEDULE", { RETRY_SCHEDULE: "5x" }],
    ["RETRY_SCHEDULE", { RETRY_SCHEDULE: "0s" }],
    ["RETRY_MAX_AGE", { RETRY_MAX_AGE: "forever" }],
    ["DISPATCHER_CONCURRENCY", { DISPATCHER_CONCURRENCY: "0" }],
    ["DISPATCHER_PORT", { DISPATCHER_PORT: "70000" }],
    ["REDIS_URL", { REDIS_URL: "localhost:6379" }],
    ["ALLOW_PRIVATE_TARGETS", { ALLOW_PRIVATE_TARGETS: "maybe" }],
    ["SECRETS_KEY", { NODE_ENV: "production" }],
  ])("names %s when it is wrong", (name, env) => {
    expect(() => loadDispatcherConfig(env)).toThrow(ConfigError);
    expect(() => loadDispatcherConfig(env)).toThrow(new RegExp(`^${name}: `));
  });
});
