import { randomBytes } from "node:crypto";
import { EndpointRateLimiter } from "@hookrelay/dispatcher";
import { createLogger, createRedisConnection } from "@hookrelay/shared";
import type { Redis } from "ioredis";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

// The per-endpoint rate limiter against real Redis: one schedule shared by every dispatcher, on Redis's
// clock, so a dispatcher whose own clock is off does not push every other dispatcher's deliveries away.
describe("endpoint rate limiter", () => {
  const logger = createLogger("test", "silent");
  const redis = createRedisConnection(REDIS_URL, "worker", logger);
  const prefix = `hookrelay-test-${randomBytes(4).toString("hex")}`;
  const topology = { prefix, shards: 1, cluster: false };

  afterAll(async () => {
    const keys = await (redis as Redis).keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it("hands out slots 1/rate apart, shared by several dispatchers", async () => {
    const [a, b] = [new EndpointRateLimiter(redis, topology), new EndpointRateLimiter(redis, topology)];
    // On Redis's clock, where the schedule lives: each answer reaches this process a little late, by as
    // much as a loaded machine makes it, so the slots' spacing is read from the schedule itself.
    const redisNow = async () => {
      const [seconds, micros] = await (redis as Redis).time();
      return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    };
    const before = await redisNow();
    const slots: number[] = [];
    for (let n = 0; n < 10; n++) slots.push((await (n % 2 === 0 ? a : b).reserve("wh_spaced", 20)) ?? 0);
    const after = await redisNow();
    const nextFree = Number(await (redis as Redis).get(`${prefix}:rate:wh_spaced`));
    // Ten slots of 50 ms were taken one after the other, from no earlier than `before`…
    expect(nextFree - before).toBeGreaterThanOrEqual(500);
    // …and no more than ten slots ahead of the last call (spaced wider, it would reach past that).
    expect(nextFree - after).toBeLessThanOrEqual(500);
    expect([...slots].sort((x, y) => x - y)).toEqual(slots);
  });

  it("is not pushed an hour ahead by a dispatcher whose clock is an hour fast", async () => {
    const limiter = new EndpointRateLimiter(redis, topology);
    const realNow = Date.now;
    Date.now = () => realNow() + 3_600_000;
    try {
      await limiter.reserve("wh_skewed", 10);
    } finally {
      Date.now = realNow;
    }
    const waitMs = ((await limiter.reserve("wh_skewed", 10)) ?? Number.NaN) - Date.now();
    expect(waitMs).toBeLessThan(1_000);
  });

  it("keeps the line short: reserves at most `maxAheadSlots` slots ahead, and says when it is full", async () => {
    const limiter = new EndpointRateLimiter(redis, topology);
    // 2 per second, at most 3 slots (1.5 s) ahead: the first four fit (now, +0.5, +1, +1.5 s), then full.
    const answers: Array<number | null> = [];
    for (let n = 0; n < 6; n++) answers.push(await limiter.reserve("wh_line", 2, 3));
    expect(answers.slice(0, 4).every((slot) => slot !== null)).toBe(true);
    expect(answers.slice(4)).toEqual([null, null]);
    // Refusing reserved nothing: the next slot once room comes is right after the last one given.
    const last = answers[3] ?? 0;
    await new Promise((resolve) => setTimeout(resolve, 600));
    const next = (await limiter.reserve("wh_line", 2, 3)) ?? 0;
    expect(next - last).toBeGreaterThanOrEqual(450);
    expect(next - last).toBeLessThanOrEqual(550);
  });
});
