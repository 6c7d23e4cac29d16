import calculateSlot from "cluster-key-slot";
import {
  deliveryQueueAddresses,
  maintenanceQueueAddress,
  serviceQueueAddresses,
  shardHashTag,
  shardOf,
} from "./queue-topology.js";

describe("shardOf", () => {
  it("gives a webhook the same shard every time, within range, and spreads many webhooks evenly", () => {
    const counts = [0, 0, 0];
    for (let n = 0; n < 3_000; n++) {
      const id = `wh_01J${n.toString(36).padStart(8, "0")}`;
      const shard = shardOf(id, 3);
      expect(shard).toBe(shardOf(id, 3));
      counts[shard] = (counts[shard] ?? 0) + 1;
    }
    for (const count of counts) expect(count).toBeGreaterThan(800);
    expect(shardOf("wh_anything", 1)).toBe(0);
  });
});

describe("shard hash tags", () => {
  it.each([1, 2, 3, 6, 16])(
    "put each of %i shards in the middle of its own even share of the 16,384 slots",
    (shards) => {
      for (let shard = 0; shard < shards; shard++) {
        const slot = calculateSlot(shardHashTag("hookrelay", shard, shards));
        expect(slot).toBeGreaterThanOrEqual(Math.floor((shard * 16_384) / shards));
        expect(slot).toBeLessThan(Math.floor(((shard + 1) * 16_384) / shards));
      }
    },
  );

  it("keeps every key of one queue in one slot on a cluster, and shards apart", () => {
    const shards = deliveryQueueAddresses({ prefix: "hookrelay", shards: 3, cluster: true });
    expect(shards.map((shard) => shard.label)).toEqual(["deliveries-0", "deliveries-1", "deliveries-2"]);
    const slotsOf = shards.map(
      ({ prefix, name }) =>
        new Set(
          ["wait", "delayed", "meta", "id", "job-123"].map((key) =>
            calculateSlot(`${prefix}:${name}:${key}`),
          ),
        ),
    );
    for (const slots of slotsOf) expect(slots.size).toBe(1);
    expect(new Set(slotsOf.map((slots) => [...slots][0])).size).toBe(3);
    const maintenance = maintenanceQueueAddress({ prefix: "hookrelay", shards: 3, cluster: true });
    expect(calculateSlot(`${maintenance.prefix}:maintenance:wait`)).toBe(
      calculateSlot(`${maintenance.prefix}:maintenance:meta`),
    );
  });

  it("leaves an unsharded install outside a cluster on its plain prefix (its keys stay where they were)", () => {
    expect(serviceQueueAddresses({ prefix: "hookrelay", shards: 1, cluster: false })).toEqual([
      { name: "deliveries", prefix: "hookrelay", label: "deliveries" },
      { name: "maintenance", prefix: "hookrelay", label: "maintenance" },
    ]);
    const [single] = deliveryQueueAddresses({ prefix: "hookrelay", shards: 1, cluster: true });
    expect(single?.prefix).toMatch(/^\{hookrelay-1-0(\.\d+)?\}$/);
  });

  it("never reuses a queue of another QUEUE_SHARDS (its webhooks would differ)", () => {
    const prefixes = new Set<string>();
    let total = 0;
    for (let shards = 1; shards <= 16; shards++) {
      for (const address of deliveryQueueAddresses({ prefix: "hookrelay", shards, cluster: true })) {
        prefixes.add(address.prefix);
        total += 1;
      }
    }
    expect(prefixes.size).toBe(total);
  });
});
