import { shareOf } from "./delivery-worker.js";

describe("DISPATCHER_CONCURRENCY shared out among the shards' workers", () => {
  it.each([
    [100, 1, [100]],
    [100, 3, [34, 33, 33]],
    [6, 4, [2, 2, 1, 1]],
    [8, 8, [1, 1, 1, 1, 1, 1, 1, 1]],
  ])("%i over %i shards: %j, never more in all", (total, parts, expected) => {
    const shares = Array.from({ length: parts }, (_, index) => shareOf(total, parts, index));
    expect(shares).toEqual(expected);
    expect(shares.reduce((sum, share) => sum + share, 0)).toBe(total);
  });
});
