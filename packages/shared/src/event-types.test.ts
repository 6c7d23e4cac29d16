import { EVENT_TYPE_FILTER_PATTERN, EVENT_TYPE_PATTERN, matchesEventType } from "./event-types.js";

describe("matchesEventType", () => {
  it("matches an exact type and nothing else", () => {
    expect(matchesEventType(["order.paid"], "order.paid")).toBe(true);
    expect(matchesEventType(["order.paid"], "order.refunded")).toBe(false);
    expect(matchesEventType(["order.paid"], "order.paid.late")).toBe(false);
    expect(matchesEventType(["order.paid"], "order")).toBe(false);
    expect(matchesEventType(["order"], "order.paid")).toBe(false);
  });

  it("matches `prefix.*` against any type below the prefix, one level or deeper", () => {
    expect(matchesEventType(["order.*"], "order.a")).toBe(true);
    expect(matchesEventType(["order.*"], "order.a.b")).toBe(true);
    expect(matchesEventType(["order.line.*"], "order.line.added")).toBe(true);
  });

  it("does not match `prefix.*` against the prefix itself or a longer name sharing its letters", () => {
    expect(matchesEventType(["order.*"], "order")).toBe(false);
    expect(matchesEventType(["order.*"], "orderx.a")).toBe(false);
    expect(matchesEventType(["order.*"], "xorder.a")).toBe(false);
    expect(matchesEventType(["order.line.*"], "order.lines.added")).toBe(false);
    expect(matchesEventType(["order.line.*"], "order.paid")).toBe(false);
  });

  it("matches everything with `*`", () => {
    expect(matchesEventType(["*"], "a")).toBe(true);
    expect(matchesEventType(["*"], "anything.at.all")).toBe(true);
  });

  it("matches when any one of several filters does, and never with no filters", () => {
    expect(matchesEventType(["invoice.*", "order.paid"], "order.paid")).toBe(true);
    expect(matchesEventType(["invoice.*", "order.paid"], "invoice.sent")).toBe(true);
    expect(matchesEventType(["invoice.*", "order.paid"], "order.refunded")).toBe(false);
    expect(matchesEventType([], "order.paid")).toBe(false);
  });
});

describe("EVENT_TYPE_PATTERN", () => {
  it.each(["a", "order.paid", "user_created.v2", "a-b.c", "Order.Paid.2024", "a.b.c.d.e"])(
    "accepts %j",
    (type) => {
      expect(EVENT_TYPE_PATTERN.test(type)).toBe(true);
    },
  );

  it.each(["", "a..b", ".a", "a.", "a b", "a.*", "*", "order/paid", "ordér.paid", " a", "a\n"])(
    "rejects %j",
    (type) => {
      expect(EVENT_TYPE_PATTERN.test(type)).toBe(false);
    },
  );
});

describe("EVENT_TYPE_FILTER_PATTERN", () => {
  it.each(["*", "order.*", "order.paid", "order.line.*", "a", "a-b_c.*"])("accepts %j", (filter) => {
    expect(EVENT_TYPE_FILTER_PATTERN.test(filter)).toBe(true);
  });

  it.each(["", "order*", "*.paid", "a.*.b", "**", ".*", "order.**", "order..*", "order.*.*", "a b.*"])(
    "rejects %j",
    (filter) => {
      expect(EVENT_TYPE_FILTER_PATTERN.test(filter)).toBe(false);
    },
  );
});

describe("operational event types", () => {
  it.each([
    [["hookrelay.webhook.disabled"], "hookrelay.webhook.disabled", true],
    [["hookrelay.*"], "hookrelay.delivery.failed", true],
    [["hookrelay.source.*"], "hookrelay.source.error", true],
    [["hookrelay.source.*"], "hookrelay.webhook.disabled", false],
    [["*"], "hookrelay.webhook.disabled", false],
    [["order.*", "*"], "hookrelay.delivery.failed", false],
    [["hookrelay.*"], "order.paid", false],
    [["*", "hookrelay.*"], "order.paid", true],
  ])("%j takes %s: %s", (filters, eventType, expected) => {
    expect(matchesEventType(filters, eventType)).toBe(expected);
  });
});
