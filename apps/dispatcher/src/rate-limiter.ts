import type { Redis } from "ioredis";

// Spreads deliveries to one endpoint at `rate_limit_per_second` (GCRA-style): each delivery reserves the
// next free slot, 1/rate seconds after the previous one, atomically in Redis so every dispatcher process
// shares the same schedule. A delivery whose slot is in the future waits (delayed, not failed).
const RESERVE_SCRIPT = `
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local nextFree = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(now, nextFree)
redis.call('SET', KEYS[1], slot + interval, 'PX', math.ceil(slot + interval - now + 60000))
return slot
`;

type ReservingRedis = Redis & {
  reserveDeliverySlot(key: string, now: number, intervalMs: number): Promise<number>;
};

export class EndpointRateLimiter {
  readonly #redis: ReservingRedis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    redis.defineCommand("reserveDeliverySlot", { numberOfKeys: 1, lua: RESERVE_SCRIPT });
    this.#redis = redis as ReservingRedis;
    this.#prefix = prefix;
  }

  /** The time (ms) at which this delivery may be sent; `now` when the endpoint has room. */
  async reserve(webhookId: string, perSecond: number, now = Date.now()): Promise<number> {
    const slot = await this.#redis.reserveDeliverySlot(
      `${this.#prefix}:rate:${webhookId}`,
      now,
      1000 / perSecond,
    );
    return Number(slot);
  }
}
