import { EVENT_TYPE_FILTER_PATTERN, EVENT_TYPE_PATTERN, matchesEventType } from "./event-types.js";

describe("event type filters", () => {
  it.each([
    [["order.paid"], "order.paid", true],
    [["order.paid"], "order.refunded", false],
    [["order.*"], "order.paid", true],
    [["order.*"], "order.line.added", true],
    [["order.*"], "order", false],
    [["order.*"], "orders.paid", false],
    [["*"], "anything.at.all", true],
    [["invoice.*", "order.paid"], "order.paid", true],
  ])("%j matches %s: %s", (filters, type, expected) => {
    expect(matchesEventType(filters, type)).toBe(expected);
  });

  it("accepts dotted names and refuses the rest", () => {
    for (const good of ["a", "order.paid", "user_created.v2", "a-b.c"])
      expect(EVENT_TYPE_PATTERN.test(good)).toBe(true);
    for (const bad of ["", "a..b", ".a", "a.", "a b", "a.*", "*"])
      expect(EVENT_TYPE_PATTERN.test(bad)).toBe(false);
    for (const good of ["*", "order.*", "order.paid"])
      expect(EVENT_TYPE_FILTER_PATTERN.test(good)).toBe(true);
    for (const bad of ["order*", "*.paid", "a.*.b", "**"])
      expect(EVENT_TYPE_FILTER_PATTERN.test(bad)).toBe(false);
  });
});
