import { isId, newId } from "./ids.js";

describe("ids", () => {
  it("are prefixed and sort by creation time", () => {
    const first = newId("event", 1_000);
    const second = newId("event", 2_000);
    expect(first).toMatch(/^evt_[0-9a-z]{26}$/);
    expect(isId("event", first)).toBe(true);
    expect(isId("delivery", first)).toBe(false);
    expect([second, first].sort()).toEqual([first, second]);
  });

  it("stay ordered within one millisecond", () => {
    const ids = Array.from({ length: 100 }, () => newId("delivery", 5_000));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(100);
  });
});
