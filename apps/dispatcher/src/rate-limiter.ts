import { deliveryQueueAddresses, type QueueTopology, type RedisClient, shardOf } from "@hookrelay/shared";

// Spreads deliveries to one endpoint at `rate_limit_per_second` (GCRA-style): each delivery reserves the
// next free slot, 1/rate seconds after the previous one, atomically in Redis so every dispatcher process
// shares the same schedule. A delivery whose slot is in the future waits (delayed, not failed). The
// schedule runs on Redis's clock (TIME), not each dispatcher's, whose clocks may differ; the script
// answers how long to wait, which each dispatcher adds to its own clock. The line of reservations is kept
// short: a slot further ahead than the caller allows is not reserved ("full"), so a delivery late for
// its slot reserves again behind a few others, not behind a whole backlog.
const RESERVE_SCRIPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local interval = tonumber(ARGV[1])
local nextFree = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(now, nextFree)
if slot - now > tonumber(ARGV[2]) then return 'full' end
redis.call('SET', KEYS[1], tostring(slot + interval), 'PX', math.ceil(slot + interval - now + 60000))
return tostring(slot - now)
`;

type ReservingRedis = RedisClient & {
  reserveDeliverySlot(key: string, intervalMs: number, maxAheadMs: number): Promise<string>;
};

export class EndpointRateLimiter {
  readonly #redis: ReservingRedis;
  readonly #shardPrefixes: string[];

  /**
   * One key per webhook, `<its delivery shard's prefix>:rate:<webhook>`: on a Redis Cluster it lives with
   * the webhook's queue, so a shard depends on one master only.
   */
  constructor(redis: RedisClient, topology: QueueTopology) {
    redis.defineCommand("reserveDeliverySlot", { numberOfKeys: 1, lua: RESERVE_SCRIPT });
    this.#redis = redis as ReservingRedis;
    this.#shardPrefixes = deliveryQueueAddresses(topology).map((address) => address.prefix);
  }

  /**
   * The time (ms, this process's clock) at which this delivery may be sent — now when the endpoint has
   * room — or null when the next free slot is more than `maxAheadSlots` slots away (nothing reserved).
   */
  async reserve(
    webhookId: string,
    perSecond: number,
    maxAheadSlots = Number.POSITIVE_INFINITY,
  ): Promise<number | null> {
    const intervalMs = 1000 / perSecond;
    const answer = await this.#redis.reserveDeliverySlot(
      `${this.#shardPrefixes[shardOf(webhookId, this.#shardPrefixes.length)]}:rate:${webhookId}`,
      intervalMs,
      Number.isFinite(maxAheadSlots) ? maxAheadSlots * intervalMs : Number.MAX_SAFE_INTEGER,
    );
    return answer === "full" ? null : Date.now() + Number(answer);
  }
}
