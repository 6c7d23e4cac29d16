import calculateSlot from "cluster-key-slot";

// Where each BullMQ queue lives in Redis. Deliveries are spread over QUEUE_SHARDS queues by webhook, so a
// webhook's deliveries always share one queue (its in-flight cap and rate line stay in one place). On a
// Redis Cluster every key of one queue must hash to one slot (BullMQ's scripts touch several keys at
// once), so each queue's prefix is a hash tag; ioredis' `keyPrefix` must not be used for this (bullmq#1232).

export const DELIVERY_QUEUE = "deliveries";
/** Scheduled housekeeping (retention), run by whichever dispatcher takes the job. */
export const MAINTENANCE_QUEUE = "maintenance";

const CLUSTER_SLOTS = 16_384;
/** A tag is searched for at most this many suffixes (each try lands in the wanted range with p = 1/shards). */
const TAG_SEARCH_LIMIT = 100_000;

export interface QueueTopology {
  /** QUEUE_PREFIX: what every key of this install starts with (or holds in its hash tag). */
  prefix: string;
  shards: number;
  /** Keys must be hash-tagged (a Redis Cluster). */
  cluster: boolean;
}

/** One queue of the service: its BullMQ name and prefix, and the label monitoring shows for it. */
export interface QueueAddress {
  name: string;
  prefix: string;
  /** `deliveries`, or `deliveries-2` for shard 2 when there are several; `maintenance`. */
  label: string;
}

/** The delivery shard of a webhook: a stable hash of its id (FNV-1a), the same in every process. */
export function shardOf(webhookId: string, shards: number): number {
  if (shards <= 1) return 0;
  let hash = 0x811c9dc5;
  for (let index = 0; index < webhookId.length; index++) {
    hash ^= webhookId.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
}

/**
 * The hash tag of delivery shard `shard` of `shards`: `<prefix>-<shards>-<shard>`, with a suffix when needed
 * so that its slot falls in the middle half of the shard's even share of the slot space. `redis-cli
 * --cluster create` gives each master an even contiguous range (its edges rounded), so the shards of an
 * install land on different masters; any process computes the same tags. The number of shards is part of
 * the tag: after QUEUE_SHARDS changes no queue of the old layout is reused (its webhooks would differ).
 */
export function shardHashTag(prefix: string, shard: number, shards: number): string {
  const share = CLUSTER_SLOTS / shards;
  const low = Math.ceil(shard * share + share / 4);
  const high = Math.floor((shard + 1) * share - share / 4);
  const base = `${prefix}-${shards}-${shard}`;
  for (let suffix = 0; suffix < TAG_SEARCH_LIMIT; suffix++) {
    const tag = suffix === 0 ? base : `${base}.${suffix}`;
    const slot = calculateSlot(tag);
    if (slot >= low && slot < high) return tag;
  }
  return base;
}

/**
 * The delivery queues, one per shard. A single shard outside a cluster keeps the plain prefix, so the
 * keys of an install that never sharded stay where they were.
 */
export function deliveryQueueAddresses({ prefix, shards, cluster }: QueueTopology): QueueAddress[] {
  if (shards <= 1 && !cluster) return [{ name: DELIVERY_QUEUE, prefix, label: DELIVERY_QUEUE }];
  return Array.from({ length: shards }, (_, shard) => ({
    name: DELIVERY_QUEUE,
    prefix: `{${shardHashTag(prefix, shard, shards)}}`,
    label: shards > 1 ? `${DELIVERY_QUEUE}-${shard}` : DELIVERY_QUEUE,
  }));
}

export function maintenanceQueueAddress({ prefix, cluster }: QueueTopology): QueueAddress {
  return {
    name: MAINTENANCE_QUEUE,
    prefix: cluster ? `{${prefix}-${MAINTENANCE_QUEUE}}` : prefix,
    label: MAINTENANCE_QUEUE,
  };
}

/** Every BullMQ queue of the service (Bull Board and the queue-depth gauge list these). */
export function serviceQueueAddresses(topology: QueueTopology): QueueAddress[] {
  return [...deliveryQueueAddresses(topology), maintenanceQueueAddress(topology)];
}
