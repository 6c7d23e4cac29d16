import fc from "fast-check";
import {
  compilePayloadFilter,
  type FilterEnvelope,
  MAX_FILTER_BYTES,
  MAX_FILTER_DEPTH,
  type PayloadFilter,
  payloadFilterSchema,
} from "./payload-filter.js";

const envelope = (data: unknown, event_type = "order.paid"): FilterEnvelope => ({
  event_id: "evt_01",
  event_type,
  created_at: "2026-01-01T00:00:00.000Z",
  project_id: "prj_01",
  data,
});

const order = {
  order: { id: "ord_1", status: "paid", total: 42, currency: "EUR", note: null, tags: ["vip", "eu"] },
  items: [
    { sku: "A-1", qty: 2 },
    { sku: "B-7", qty: 1 },
  ],
  customer: { name: "Zoë", address: { city: "Berlin", zip: "10115" } },
  flag: false,
  "dotted.key": 1,
};
const sample = envelope(order);

function matches(filter: PayloadFilter, event: FilterEnvelope = sample): boolean {
  expect(payloadFilterSchema.safeParse(filter).success).toBe(true);
  return compilePayloadFilter(filter)(event);
}

describe("payload filter semantics", () => {
  it.each<[string, PayloadFilter, boolean]>([
    ["empty filter matches everything", {}, true],
    ["envelope field equality", { event_type: "order.paid" }, true],
    ["envelope field inequality", { event_type: "order.created" }, false],
    ["project_id path", { project_id: "prj_01" }, true],
    ["nested equality", { "data.order.status": "paid" }, true],
    ["nested equality false", { "data.order.status": "pending" }, false],
    ["implicit AND all hold", { "data.order.status": "paid", "data.order.total": 42 }, true],
    ["implicit AND one fails", { "data.order.status": "paid", "data.order.total": 43 }, false],
    ["number equality is strict on type", { "data.order.total": "42" }, false],
    ["boolean equality", { "data.flag": false }, true],
    ["null equals explicit null", { "data.order.note": null }, true],
    ["null does not equal missing", { "data.order.missing": null }, false],
    ["array index", { "data.items.0.sku": "A-1" }, true],
    ["second array index", { "data.items.1.qty": 1 }, true],
    ["index out of range is missing", { "data.items.2.sku": { $exists: false } }, true],
    ["non-canonical index is missing", { "data.items.01.sku": { $exists: true } }, false],
    ["arrays have no named keys", { "data.items.length": { $exists: true } }, false],
    ["no implicit array traversal", { "data.items.sku": "A-1" }, false],
    ["array equality is not membership", { "data.order.tags": "vip" }, false],
    ["array deep equality in order", { "data.order.tags": ["vip", "eu"] }, true],
    ["array deep equality order matters", { "data.order.tags": ["eu", "vip"] }, false],
    [
      "object deep equality regardless of key order",
      { "data.customer.address": { zip: "10115", city: "Berlin" } },
      true,
    ],
    ["object deep equality needs the same keys", { "data.customer.address": { city: "Berlin" } }, false],
    [
      "object deep equality nested mismatch",
      { "data.customer": { name: "Zoë", address: { city: "Paris", zip: "10115" } } },
      false,
    ],
    ["whole data equality", { data: order }, true],
    ["path through a primitive is missing", { "data.order.status.length": { $exists: true } }, false],
    ["prototype keys are not data", { "data.order.constructor": { $exists: true } }, false],
    ["toString is not data", { "data.toString": { $exists: false } }, true],
    ["a key with a dot cannot be addressed", { "data.dotted.key": 1 }, false],
    ["$eq primitive", { "data.order.total": { $eq: 42 } }, true],
    ["$eq false", { "data.order.total": { $eq: 41 } }, false],
    ["$eq object literal", { "data.items.0": { $eq: { qty: 2, sku: "A-1" } } }, true],
    ["$eq with $ keys literally", { "data.x": { $eq: { $y: 1 } } }, false],
    ["$ne true", { "data.order.status": { $ne: "refunded" } }, true],
    ["$ne false", { "data.order.status": { $ne: "paid" } }, false],
    ["$ne holds on missing", { "data.nope": { $ne: "x" } }, true],
    ["$ne on arrays deep", { "data.order.tags": { $ne: ["vip", "eu"] } }, false],
    ["$gt number true", { "data.order.total": { $gt: 41 } }, true],
    ["$gt number false at equal", { "data.order.total": { $gt: 42 } }, false],
    ["$gte at equal", { "data.order.total": { $gte: 42 } }, true],
    ["$lt true", { "data.order.total": { $lt: 42.5 } }, true],
    ["$lt false", { "data.order.total": { $lt: 42 } }, false],
    ["$lte at equal", { "data.order.total": { $lte: 42 } }, true],
    ["range inside", { "data.order.total": { $gte: 10, $lt: 50 } }, true],
    ["range outside", { "data.order.total": { $gte: 10, $lt: 20 } }, false],
    ["$gt string by code units", { "data.order.status": { $gt: "p" } }, true],
    ["$lt string by code units (uppercase sorts first)", { "data.order.currency": { $lt: "eur" } }, true],
    ["$gt string vs number is false", { "data.order.total": { $gt: "1" } }, false],
    ["$lt number vs string is false", { "data.order.status": { $lt: 1000 } }, false],
    ["$gt on missing is false", { "data.nope": { $gt: 0 } }, false],
    ["$lte on null is false", { "data.order.note": { $lte: 0 } }, false],
    ["$in primitive hit", { "data.order.status": { $in: ["paid", "shipped"] } }, true],
    ["$in primitive miss", { "data.order.status": { $in: ["refunded", "shipped"] } }, false],
    ["$in is type strict", { "data.order.total": { $in: ["42", true] } }, false],
    ["$in with null", { "data.order.note": { $in: [null] } }, true],
    ["$in on missing is false", { "data.nope": { $in: [null, "x"] } }, false],
    ["$in empty is false", { "data.order.status": { $in: [] } }, false],
    ["$in composite hit", { "data.order.tags": { $in: ["x", ["vip", "eu"]] } }, true],
    ["$in composite object hit", { "data.items.1": { $in: [{ qty: 1, sku: "B-7" }] } }, true],
    ["$in composite miss", { "data.order.tags": { $in: [["eu", "vip"], "vip"] } }, false],
    ["$nin miss", { "data.order.status": { $nin: ["refunded"] } }, true],
    ["$nin hit", { "data.order.status": { $nin: ["paid"] } }, false],
    ["$nin holds on missing", { "data.nope": { $nin: ["paid", null] } }, true],
    ["$nin composite", { "data.order.tags": { $nin: [["vip", "eu"]] } }, false],
    ["$exists true", { "data.order.id": { $exists: true } }, true],
    ["$exists true on missing", { "data.order.nope": { $exists: true } }, false],
    ["$exists false on missing", { "data.order.nope": { $exists: false } }, true],
    ["$exists counts null as existing", { "data.order.note": { $exists: true } }, true],
    ["$exists false on null", { "data.order.note": { $exists: false } }, false],
    ["$prefix true", { "data.items.0.sku": { $prefix: "A-" } }, true],
    ["$prefix false", { "data.items.1.sku": { $prefix: "A-" } }, false],
    ["$prefix empty string on a string", { "data.order.id": { $prefix: "" } }, true],
    ["$prefix on a number is false", { "data.order.total": { $prefix: "4" } }, false],
    ["$prefix on missing is false", { "data.nope": { $prefix: "" } }, false],
    ["$prefix on event type", { event_type: { $prefix: "order." } }, true],
    ["$and all", { $and: [{ "data.order.status": "paid" }, { "data.order.total": { $gt: 40 } }] }, true],
    [
      "$and one fails",
      { $and: [{ "data.order.status": "paid" }, { "data.order.total": { $gt: 50 } }] },
      false,
    ],
    [
      "$or one holds",
      { $or: [{ "data.order.status": "refunded" }, { "data.order.total": { $gt: 40 } }] },
      true,
    ],
    [
      "$or none holds",
      { $or: [{ "data.order.status": "refunded" }, { "data.order.total": { $gt: 50 } }] },
      false,
    ],
    ["$or of empty filter holds", { $or: [{}, { "data.nope": 1 }] }, true],
    ["$and with sibling path", { $and: [{ "data.flag": false }], "data.order.currency": "USD" }, false],
    [
      "nested $and / $or",
      {
        $or: [
          { $and: [{ "data.order.currency": "USD" }, { "data.order.total": { $gte: 10 } }] },
          {
            $and: [
              { "data.order.currency": "EUR" },
              { $or: [{ "data.flag": true }, { "data.items.1.sku": "B-7" }] },
            ],
          },
        ],
      },
      true,
    ],
    [
      "nested $and / $or false",
      {
        $or: [
          { $and: [{ "data.order.currency": "USD" }, { "data.order.total": { $gte: 10 } }] },
          {
            $and: [
              { "data.order.currency": "EUR" },
              { $or: [{ "data.flag": true }, { "data.items.1.sku": "C" }] },
            ],
          },
        ],
      },
      false,
    ],
    [
      "many operators on one path",
      { "data.order.status": { $exists: true, $ne: "x", $in: ["paid"], $prefix: "pa" } },
      true,
    ],
  ])("%s", (_name, filter, expected) => {
    expect(matches(filter)).toBe(expected);
  });

  it("walks data that is not an object", () => {
    expect(matches({ data: "plain" }, envelope("plain"))).toBe(true);
    expect(matches({ "data.0": 5 }, envelope([5, 6]))).toBe(true);
    expect(matches({ "data.x": { $exists: false } }, envelope(null))).toBe(true);
    expect(matches({ data: { $exists: false } }, envelope(undefined))).toBe(true);
  });

  it("is compiled once: the source filter is not consulted after compilation", () => {
    const filter: PayloadFilter = { "data.order.status": { $in: ["paid"] }, $or: [{ "data.flag": false }] };
    const compiled = compilePayloadFilter(filter);
    (filter["data.order.status"] as { $in: string[] }).$in[0] = "other";
    filter.$or = [{ "data.flag": true }];
    filter.event_type = "nope";
    expect(compiled(sample)).toBe(true);
  });

  it("refuses to compile an unknown operator instead of matching silently", () => {
    expect(() => compilePayloadFilter({ "data.x": { $regex: "a" } })).toThrow(/unknown operator \$regex/);
  });
});

const OPERATOR_HINT = "(use $eq, $ne, $gt, $gte, $lt, $lte, $in, $nin, $exists, $prefix)";

function issuesOf(filter: unknown): { path: PropertyKey[]; message: string }[] {
  const result = payloadFilterSchema.safeParse(filter);
  if (result.success) return [];
  return result.error.issues.map((issue) => ({ path: issue.path, message: issue.message }));
}

function nestAnd(levels: number): PayloadFilter {
  let filter: PayloadFilter = { "data.x": 1 };
  for (let i = 1; i < levels; i++) filter = { $and: [filter] };
  return filter;
}

describe("payload filter validation", () => {
  it.each<[string, unknown, (string | number)[], string]>([
    [
      "unknown operator at a path",
      { "data.amount": { $gtt: 5 } },
      ["data.amount", "$gtt"],
      `unknown operator $gtt ${OPERATOR_HINT}`,
    ],
    [
      "unknown operator nested in $and",
      { $and: [{ "data.amount": { $gtt: 5 } }] },
      ["$and", 0, "data.amount", "$gtt"],
      `unknown operator $gtt ${OPERATOR_HINT}`,
    ],
    [
      "unknown operator nested in $or inside $and",
      { $and: [{ a: 1 }, { $or: [{ b: 2 }, { "data.c": { $eq: 1, $regex: "x" } }] }] },
      ["$and", 1, "$or", 1, "data.c", "$regex"],
      `unknown operator $regex ${OPERATOR_HINT}`,
    ],
    [
      "$and under a path is not an operator",
      { "data.x": { $or: [1, 2] } },
      ["data.x", "$or"],
      `unknown operator $or ${OPERATOR_HINT}`,
    ],
    [
      "unknown top-level operator",
      { $nor: [{ a: 1 }] },
      ["$nor"],
      "unknown operator $nor here (use $and, $or, or a dotted path such as data.order.status)",
    ],
    [
      "field operator at filter level",
      { $or: [{ $eq: 1 }] },
      ["$or", 0, "$eq"],
      "unknown operator $eq here (use $and, $or, or a dotted path such as data.order.status)",
    ],
    [
      "mixed operator and plain keys",
      { "data.x": { $gt: 1, a: 2 } },
      ["data.x", "$gt"],
      "operator $gt cannot be mixed with plain keys (a): use only $ operators, or a plain value without $ keys",
    ],
    [
      "operator nested inside a plain value",
      { data: { order: { status: { $in: ["paid"] } } } },
      ["data", "order", "status", "$in"],
      "operator $in is only allowed directly under a path (write a nested field as a dotted path like data.order.status; use $eq to match a $ key literally)",
    ],
    ["$in needs an array", { "data.x": { $in: "paid" } }, ["data.x", "$in"], "$in needs an array"],
    [
      "$nin needs an array",
      { $or: [{ "data.x": { $nin: { a: 1 } } }] },
      ["$or", 0, "data.x", "$nin"],
      "$nin needs an array",
    ],
    [
      "$exists needs a boolean",
      { "data.x": { $exists: 1 } },
      ["data.x", "$exists"],
      "$exists needs a boolean",
    ],
    ["$prefix needs a string", { "data.x": { $prefix: 1 } }, ["data.x", "$prefix"], "$prefix needs a string"],
    [
      "$gt needs a number or string",
      { "data.x": { $gt: null } },
      ["data.x", "$gt"],
      "$gt needs a number or a string",
    ],
    [
      "$lte needs a number or string",
      { "data.x": { $lte: [1] } },
      ["data.x", "$lte"],
      "$lte needs a number or a string",
    ],
    ["$and needs an array", { $and: { a: 1 } }, ["$and"], "$and needs a non-empty array of filter objects"],
    [
      "$and needs a non-empty array",
      { $and: [] },
      ["$and"],
      "$and needs a non-empty array of filter objects",
    ],
    [
      "$or elements must be objects",
      { $or: [{ a: 1 }, [1]] },
      ["$or", 1],
      "$or needs a non-empty array of filter objects",
    ],
    [
      "$or elements must not be null",
      { $or: [null] },
      ["$or", 0],
      "$or needs a non-empty array of filter objects",
    ],
    ["empty path", { "": 1 }, [""], "path must not be empty"],
    ["empty path segment", { "data..x": 1 }, ["data..x"], "path data..x has an empty segment"],
    ["trailing dot", { $and: [{ "data.": 1 }] }, ["$and", 0, "data."], "path data. has an empty segment"],
    ["non-finite number", { "data.x": { $eq: Number.NaN } }, ["data.x", "$eq"], "must be a finite number"],
    [
      "depth 6 refused",
      nestAnd(MAX_FILTER_DEPTH + 1),
      ["$and", 0, "$and", 0, "$and", 0, "$and", 0, "$and", 0],
      "filter is nested too deeply: at most 5 levels of $and / $or objects",
    ],
  ])("%s", (_name, filter, path, message) => {
    expect(issuesOf(filter)).toEqual([{ path, message }]);
  });

  it.each([
    ["an array", [{ a: 1 }]],
    ["null", null],
    ["a string", "data.x"],
  ])("refuses %s at top level", (_name, filter) => {
    expect(issuesOf(filter)).toEqual([
      { path: [], message: "filter must be a JSON object mapping paths to conditions" },
    ]);
  });

  it("reports every problem, each at its own path", () => {
    expect(issuesOf({ "data.a": { $in: 1, $foo: 2 }, $or: [{ "": 1 }] })).toEqual([
      { path: ["data.a", "$in"], message: "$in needs an array" },
      { path: ["data.a", "$foo"], message: `unknown operator $foo ${OPERATOR_HINT}` },
      { path: ["$or", 0, ""], message: "path must not be empty" },
    ]);
  });

  it("prefixes issue paths when embedded in a body schema (as the api's 422 does)", async () => {
    const { z } = await import("zod");
    const body = z.object({ filter: payloadFilterSchema.optional() });
    const result = body.safeParse({ filter: { $and: [{ "data.amount": { $gtt: 5 } }] } });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(["filter", "$and", 0, "data.amount", "$gtt"]);
  });

  it("accepts depth 5 and mixed $and / $or nesting up to it", () => {
    expect(issuesOf(nestAnd(MAX_FILTER_DEPTH))).toEqual([]);
    const mixed = { $or: [{ a: 1 }, { $and: [{ $or: [{ $and: [{ "data.x": { $gte: 1, $lt: 5 } }] }] }] }] };
    expect(issuesOf(mixed)).toEqual([]);
    expect(
      issuesOf({ $or: [{ a: 1 }, { $and: [{ $or: [{ $and: [{ $or: [{ b: 1 }] }] }] }] }] }),
    ).toHaveLength(1);
  });

  it("does not count plain-value nesting as filter depth", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 20; i++) deep = { k: [deep] };
    expect(issuesOf({ "data.x": deep })).toEqual([]);
  });

  it("accepts exactly 4096 bytes and refuses 4097 (UTF-8)", () => {
    const sized = (bytes: number): PayloadFilter => {
      const overhead = JSON.stringify({ "data.x": "" }).length;
      return { "data.x": "a".repeat(bytes - overhead) };
    };
    expect(Buffer.byteLength(JSON.stringify(sized(MAX_FILTER_BYTES)))).toBe(4096);
    expect(issuesOf(sized(MAX_FILTER_BYTES))).toEqual([]);
    expect(issuesOf(sized(MAX_FILTER_BYTES + 1))).toEqual([
      { path: [], message: "filter is 4097 bytes as JSON; the limit is 4096 bytes (4 KiB)" },
    ]);
    // Counted in UTF-8 bytes, not characters: 2050 "é" are 2050 characters but 4100 bytes.
    const accented = { "data.x": "é".repeat(2050) };
    expect(JSON.stringify(accented).length).toBeLessThan(4096);
    expect(issuesOf(accented)[0]?.message).toMatch(/the limit is 4096 bytes/);
  });

  it("accepts every operator with a valid operand", () => {
    const filter = {
      "data.a": { $eq: { $literal: [1] }, $ne: null, $gt: 1, $gte: "a", $lt: 2.5, $lte: "z" },
      "data.b": { $in: [1, "x", null, [1], { a: 1 }], $nin: [], $exists: true, $prefix: "" },
      "data.c": { nested: [1, { deep: null }] },
      "data.d": {},
      "data.e": [],
    };
    expect(issuesOf(filter)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------
// Property tests: the compiled filter against a deliberately plain reference interpreter.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function referenceCanonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(referenceCanonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${referenceCanonical(record[key])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

function referenceEqual(a: unknown, b: unknown): boolean {
  if (a === undefined || b === undefined) return false;
  return referenceCanonical(a) === referenceCanonical(b);
}

function referenceLookup(root: unknown, path: string): unknown {
  let current: unknown = root;
  for (const segment of path.split(".")) {
    if (current === null || typeof current !== "object") return undefined;
    if (Array.isArray(current)) {
      const index = Number(segment);
      if (!/^\d+$/.test(segment) || String(index) !== segment || index >= current.length) return undefined;
      current = current[index];
    } else {
      if (!Object.keys(current).includes(segment)) return undefined;
      current = (current as Record<string, unknown>)[segment];
    }
  }
  return current;
}

function referenceCompare(value: unknown, operand: unknown, op: string): boolean {
  const comparable =
    (typeof value === "number" && typeof operand === "number") ||
    (typeof value === "string" && typeof operand === "string");
  if (!comparable) return false;
  const a = value as number | string;
  const b = operand as number | string;
  if (op === "$gt") return a > b;
  if (op === "$gte") return a >= b;
  if (op === "$lt") return a < b;
  return a <= b;
}

function referenceOperator(op: string, operand: unknown, value: unknown): boolean {
  switch (op) {
    case "$eq":
      return referenceEqual(value, operand);
    case "$ne":
      return !referenceEqual(value, operand);
    case "$gt":
    case "$gte":
    case "$lt":
    case "$lte":
      return referenceCompare(value, operand, op);
    case "$in":
      return (operand as unknown[]).some((item) => referenceEqual(value, item));
    case "$nin":
      return !(operand as unknown[]).some((item) => referenceEqual(value, item));
    case "$exists":
      return (value !== undefined) === operand;
    case "$prefix":
      return typeof value === "string" && value.slice(0, (operand as string).length) === operand;
    default:
      throw new Error(`reference: unknown operator ${op}`);
  }
}

function referenceEvaluate(filter: PayloadFilter, event: FilterEnvelope): boolean {
  for (const key of Object.keys(filter)) {
    const condition = filter[key];
    if (key === "$and") {
      if (!(condition as PayloadFilter[]).every((part) => referenceEvaluate(part, event))) return false;
    } else if (key === "$or") {
      if (!(condition as PayloadFilter[]).some((part) => referenceEvaluate(part, event))) return false;
    } else {
      const value = referenceLookup(event, key);
      const isOperators =
        condition !== null &&
        typeof condition === "object" &&
        !Array.isArray(condition) &&
        Object.keys(condition).length > 0 &&
        Object.keys(condition).every((k) => k.startsWith("$"));
      if (isOperators) {
        const operators = condition as Record<string, unknown>;
        for (const op of Object.keys(operators)) {
          if (!referenceOperator(op, operators[op], value)) return false;
        }
      } else if (!referenceEqual(value, condition)) {
        return false;
      }
    }
  }
  return true;
}

// Small shared vocabularies so that generated events often hit the generated filters' paths and values.
const KEYS = ["a", "b", "items", "status", "n", "0", "1", "sku"];
const STRINGS = ["", "a", "ab", "abc", "b", "paid", "pending", "A", "é"];
const NUMBERS = [-1, 0, 1, 2, 2.5, 10, 100];
const PATHS = [
  "event_type",
  "project_id",
  "data",
  "data.a",
  "data.b",
  "data.status",
  "data.n",
  "data.a.b",
  "data.a.status",
  "data.items.0",
  "data.items.1",
  "data.items.0.sku",
  "data.items.1.sku",
  "data.a.0",
  "data.nope",
  "data.items.01",
];

const primitiveArb: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom(...STRINGS),
  fc.constantFrom(...NUMBERS),
  fc.boolean(),
  fc.constant(null),
);
const scalarArb = fc.oneof(fc.constantFrom(...STRINGS), fc.constantFrom(...NUMBERS));

function jsonArb(depth: number): fc.Arbitrary<Json> {
  if (depth <= 0) return primitiveArb;
  const inner = jsonArb(depth - 1);
  return fc.oneof(
    { weight: 4, arbitrary: primitiveArb },
    { weight: 1, arbitrary: fc.array(inner, { maxLength: 3 }) },
    { weight: 1, arbitrary: fc.dictionary(fc.constantFrom(...KEYS), inner, { maxKeys: 3 }) },
  );
}
const valueArb = jsonArb(2);

const operatorArb: fc.Arbitrary<[string, Json]> = fc.oneof(
  fc.tuple(fc.constantFrom("$eq", "$ne"), valueArb),
  fc.tuple(fc.constantFrom("$gt", "$gte", "$lt", "$lte"), scalarArb),
  fc.tuple(fc.constantFrom("$in", "$nin"), fc.array(valueArb, { maxLength: 4 })),
  fc.tuple(fc.constant("$exists"), fc.boolean()),
  fc.tuple(fc.constant("$prefix"), fc.constantFrom(...STRINGS)),
);
const conditionArb: fc.Arbitrary<Json> = fc.oneof(
  { weight: 1, arbitrary: valueArb },
  {
    weight: 2,
    arbitrary: fc
      .array(operatorArb, { minLength: 1, maxLength: 3 })
      .map((entries) => Object.fromEntries(entries) as Json),
  },
);

function filterArb(depth: number): fc.Arbitrary<PayloadFilter> {
  const pathEntry = fc.tuple(fc.constantFrom(...PATHS), conditionArb);
  const entry: fc.Arbitrary<[string, unknown]> =
    depth >= MAX_FILTER_DEPTH
      ? pathEntry
      : fc.oneof(
          { weight: 3, arbitrary: pathEntry },
          {
            weight: 1,
            arbitrary: fc.tuple(
              fc.constantFrom("$and", "$or"),
              fc.array(filterArb(depth + 1), { minLength: 1, maxLength: 3 }),
            ),
          },
        );
  return fc.array(entry, { maxLength: 3 }).map((entries) => Object.fromEntries(entries) as PayloadFilter);
}

const dataArb = fc.dictionary(fc.constantFrom(...KEYS), jsonArb(3), { maxKeys: 5 });

const baseEnvelopeArb: fc.Arbitrary<FilterEnvelope> = fc.record({
  event_id: fc.constant("evt_1"),
  event_type: fc.constantFrom(...STRINGS),
  created_at: fc.constant("2026-01-01T00:00:00.000Z"),
  project_id: fc.constantFrom(...STRINGS),
  data: fc.oneof({ weight: 8, arbitrary: dataArb }, { weight: 1, arbitrary: valueArb }),
});

/** (path, value) pairs taken from a filter: values that make its conditions hold, or just fail. */
function plantsOf(filter: PayloadFilter, out: [string, unknown][] = []): [string, unknown][] {
  for (const [key, condition] of Object.entries(filter)) {
    if (key === "$and" || key === "$or") {
      for (const part of condition as PayloadFilter[]) plantsOf(part, out);
      continue;
    }
    const isOperators =
      condition !== null &&
      typeof condition === "object" &&
      !Array.isArray(condition) &&
      Object.keys(condition).length > 0 &&
      Object.keys(condition).every((k) => k.startsWith("$"));
    if (!isOperators) {
      out.push([key, condition]);
      continue;
    }
    for (const [op, operand] of Object.entries(condition as Record<string, unknown>)) {
      if (op === "$in" || op === "$nin") for (const item of operand as unknown[]) out.push([key, item]);
      else if (op === "$prefix") out.push([key, `${operand}x`]);
      else if (op === "$exists") out.push([key, operand ? 1 : undefined]);
      else if (typeof operand === "number") out.push([key, operand], [key, operand + 1], [key, operand - 1]);
      else if (typeof operand === "string") out.push([key, operand], [key, `${operand}z`], [key, ""]);
      else out.push([key, operand]);
    }
  }
  return out;
}

/** Writes `value` at `path` into a copy of the envelope, creating objects / arrays on the way. */
function plant(event: FilterEnvelope, path: string, value: unknown): FilterEnvelope {
  const copy = structuredClone(event) as unknown as Record<string, unknown>;
  const segments = path.split(".");
  if (segments.length === 1) {
    if (segments[0] === "data") copy.data = value;
    else if (typeof value === "string") copy[segments[0] as string] = value;
    return copy as unknown as FilterEnvelope;
  }
  let current: Record<string, unknown> | unknown[] = copy;
  for (let i = 0; i < segments.length - 1; i++) {
    const segment = segments[i] as string;
    const nextIsIndex = /^\d+$/.test(segments[i + 1] as string);
    const container = current as Record<string, unknown>;
    let next = container[segment];
    if (next === null || typeof next !== "object") {
      next = nextIsIndex ? [] : {};
      container[segment] = next;
    }
    current = next as Record<string, unknown> | unknown[];
  }
  const last = segments[segments.length - 1] as string;
  if (Array.isArray(current) && /^\d+$/.test(last)) {
    const index = Number(last);
    while (current.length < index) current.push(null);
  }
  if (value === undefined) delete (current as Record<string, unknown>)[last];
  else (current as Record<string, unknown>)[last] = value;
  return copy as unknown as FilterEnvelope;
}

const validFilterArb = filterArb(1).filter(
  (filter) => Buffer.byteLength(JSON.stringify(filter)) <= MAX_FILTER_BYTES,
);

const caseArb = fc
  .tuple(validFilterArb, baseEnvelopeArb, fc.array(fc.nat(), { maxLength: 6 }))
  .map(([filter, base, choices]) => {
    const plants = plantsOf(filter);
    let event = base;
    if (plants.length > 0) {
      for (const choice of choices) {
        const [path, value] = plants[choice % plants.length] as [string, unknown];
        event = plant(event, path, value);
      }
    }
    return { filter, event };
  });

const RUNS = 500;

function depthOf(filter: PayloadFilter): number {
  let deepest = 0;
  for (const key of ["$and", "$or"]) {
    for (const part of (filter[key] as PayloadFilter[] | undefined) ?? [])
      deepest = Math.max(deepest, depthOf(part));
  }
  return 1 + deepest;
}

describe("payload filter properties", () => {
  it("agrees with the reference evaluator on random filters and events, with both outcomes", () => {
    let accepted = 0;
    let matched = 0;
    let deepest = 0;
    fc.assert(
      fc.property(caseArb, ({ filter, event }) => {
        deepest = Math.max(deepest, depthOf(filter));
        const parsed = payloadFilterSchema.safeParse(filter);
        expect(parsed.error?.issues ?? []).toEqual([]);
        accepted++;
        const actual = compilePayloadFilter(filter)(event);
        expect(actual).toBe(referenceEvaluate(filter, event));
        if (actual) matched++;
      }),
      { seed: 1414, numRuns: RUNS },
    );
    expect(accepted).toBeGreaterThanOrEqual(RUNS);
    expect(deepest).toBe(MAX_FILTER_DEPTH);
    // Both outcomes must be common, or the comparison proves little.
    expect(matched / accepted).toBeGreaterThan(0.2);
    expect(matched / accepted).toBeLessThan(0.8);
  });

  it("agrees with the reference on every single operator, with both outcomes per operator", () => {
    const outcomes = new Map<string, { yes: number; no: number }>();
    const single = fc
      .tuple(fc.constantFrom(...PATHS), operatorArb, baseEnvelopeArb, fc.boolean(), fc.nat())
      .map(([path, [op, operand], base, doPlant, choice]) => {
        const filter: PayloadFilter = { [path]: { [op]: operand } };
        const plants = plantsOf(filter);
        const planted = plants[choice % Math.max(plants.length, 1)];
        const event = doPlant && planted ? plant(base, planted[0], planted[1]) : base;
        return { filter, op, event };
      });
    fc.assert(
      fc.property(single, ({ filter, op, event }) => {
        expect(payloadFilterSchema.safeParse(filter).success).toBe(true);
        const actual = compilePayloadFilter(filter)(event);
        expect(actual).toBe(referenceEvaluate(filter, event));
        const count = outcomes.get(op) ?? { yes: 0, no: 0 };
        if (actual) count.yes++;
        else count.no++;
        outcomes.set(op, count);
      }),
      { seed: 1415, numRuns: 2000 },
    );
    for (const op of ["$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$exists", "$prefix"]) {
      const count = outcomes.get(op);
      expect({ op, yes: (count?.yes ?? 0) > 5, no: (count?.no ?? 0) > 5 }).toEqual({
        op,
        yes: true,
        no: true,
      });
    }
  });

  it("never throws on arbitrary JSON, and whatever it accepts compiles and agrees with the reference", () => {
    const keyArb = fc.oneof(
      fc.constantFrom("$and", "$or", "$eq", "$in", "$gt", "$exists", "$prefix", "$bad", "", "data.a", "a..b"),
      fc.string({ maxLength: 4 }),
    );
    const anyJson = fc.letrec<{ node: Json }>((tie) => ({
      node: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        primitiveArb,
        fc.array(tie("node"), { maxLength: 3 }),
        fc.dictionary(keyArb, tie("node"), { maxKeys: 3 }),
      ),
    })).node;
    let accepted = 0;
    fc.assert(
      fc.property(anyJson, baseEnvelopeArb, (filter, event) => {
        const parsed = payloadFilterSchema.safeParse(filter);
        if (!parsed.success) {
          for (const issue of parsed.error.issues) expect(issue.message.length).toBeGreaterThan(0);
          return;
        }
        accepted++;
        expect(compilePayloadFilter(parsed.data)(event)).toBe(referenceEvaluate(parsed.data, event));
      }),
      { seed: 1416, numRuns: RUNS },
    );
    expect(accepted).toBeGreaterThan(10);
  });
});
