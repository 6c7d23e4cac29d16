import { z } from "zod";

/*
 * Payload filters: a webhook's optional `filter` narrows its deliveries to events whose envelope
 * (`{ event_id, event_type, created_at, project_id, data }`) matches. Mongo-like:
 *
 *   { "event_type": "order.paid",                          plain value: deep JSON equality
 *     "data.amount": { "$gte": 10, "$lt": 20 },            operator object: every operator must hold
 *     "$or": [{ "data.items.0.sku": { "$prefix": "A-" } }, { "data.vip": true }] }
 *
 * - A filter object holds when every entry holds (implicit AND); `{}` matches everything. `$and` / `$or`
 *   take a non-empty array of filter objects. Any other key is a dotted path; a path key cannot start with
 *   `$`, be empty or have an empty segment (`data..x`, `data.`).
 * - A path walks objects by own key and arrays by a non-negative integer index (`data.items.0.sku`); any
 *   step that does not exist makes the value "missing". Segments are split on every dot with no escaping,
 *   so a data key that itself contains a dot cannot be addressed. There is no implicit array traversal:
 *   `{"data.tags": "vip"}` compares the whole `tags` value with "vip", it does not test membership.
 * - A plain value (string, number, boolean, null, array, object) is compared by deep JSON equality:
 *   arrays by order, objects by key set regardless of key order. A missing value equals nothing, not even
 *   null (`{"data.x": null}` needs an explicit null; use `{"$exists": false}` for missing). A plain value
 *   may not contain `$` keys at any depth, so a misplaced operator is reported instead of silently never
 *   matching; to match an object with `$` keys literally, use `$eq` / `$in` (their operands are literal).
 * - An operator object is a non-empty object whose keys all start with `$`:
 *     $eq / $ne          deep equality / its negation ($ne holds on a missing value)
 *     $gt $gte $lt $lte  operand a number or a string; holds only when the value has the same type
 *                        (numbers numerically, strings by UTF-16 code unit order), otherwise false
 *     $in / $nin         operand an array; the value deep-equals some / none of its elements
 *                        ($nin holds on a missing value, $in does not)
 *     $exists            operand a boolean; (value is not missing) === operand; null counts as existing
 *     $prefix            operand a string; the value is a string starting with it
 * - Limits: at most 5 levels deep (the top-level object is level 1, each filter object inside `$and` /
 *   `$or` one more) and at most 4096 bytes as UTF-8 JSON. Validation issues carry the path of the offending
 *   key, e.g. ["$and", 0, "data.amount", "$gtt"].
 *
 * `compilePayloadFilter` turns a validated filter into closures once (paths pre-split, constants
 * pre-processed, `$in` of primitives into a Set), so evaluating an event neither parses nor walks the
 * filter and allocates nothing.
 */

/** A filter as stored (JSON). */
export type PayloadFilter = { [path: string]: unknown };

export const MAX_FILTER_DEPTH = 5;
export const MAX_FILTER_BYTES = 4096;

export interface FilterEnvelope {
  event_id: string;
  event_type: string;
  created_at: string;
  project_id: string;
  data: unknown;
}

export type CompiledFilter = (envelope: FilterEnvelope) => boolean;

const OPERATORS = ["$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$exists", "$prefix"] as const;
type Operator = (typeof OPERATORS)[number];
const OPERATOR_SET: ReadonlySet<string> = new Set(OPERATORS);
const OPERATOR_LIST = OPERATORS.join(", ");

type IssuePath = (string | number)[];
type Report = (path: IssuePath, message: string) => void;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A non-empty object whose keys all start with `$`. */
function isOperatorObject(value: unknown): value is Record<string, unknown> {
  if (!isPlainObject(value)) return false;
  let any = false;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    if (!key.startsWith("$")) return false;
    any = true;
  }
  return any;
}

function jsonBytes(value: unknown): number | null {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? null : Buffer.byteLength(text, "utf8");
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------------
// Validation

/** A JSON value, optionally refusing `$` keys in objects (plain values) — literal operands allow them. */
function checkJson(value: unknown, path: IssuePath, report: Report, refuseDollarKeys: boolean): void {
  if (value === null || typeof value === "string" || typeof value === "boolean") return;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) report(path, "must be a finite number");
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      checkJson(item, [...path, index], report, refuseDollarKeys);
    });
    return;
  }
  if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (refuseDollarKeys && key.startsWith("$")) {
        report(
          [...path, key],
          `operator ${key} is only allowed directly under a path (write a nested field as a dotted path like data.order.status; use $eq to match a $ key literally)`,
        );
      } else {
        checkJson(item, [...path, key], report, refuseDollarKeys);
      }
    }
    return;
  }
  report(path, "must be a JSON value");
}

function checkOperand(op: Operator, operand: unknown, path: IssuePath, report: Report): void {
  switch (op) {
    case "$eq":
    case "$ne":
      checkJson(operand, path, report, false);
      return;
    case "$gt":
    case "$gte":
    case "$lt":
    case "$lte":
      if (typeof operand === "string") return;
      if (typeof operand === "number" && Number.isFinite(operand)) return;
      report(path, `${op} needs a number or a string`);
      return;
    case "$in":
    case "$nin":
      if (!Array.isArray(operand)) report(path, `${op} needs an array`);
      else checkJson(operand, path, report, false);
      return;
    case "$exists":
      if (typeof operand !== "boolean") report(path, "$exists needs a boolean");
      return;
    case "$prefix":
      if (typeof operand !== "string") report(path, "$prefix needs a string");
      return;
  }
}

function checkCondition(condition: unknown, path: IssuePath, report: Report): void {
  if (isOperatorObject(condition)) {
    for (const [op, operand] of Object.entries(condition)) {
      if (OPERATOR_SET.has(op)) checkOperand(op as Operator, operand, [...path, op], report);
      else report([...path, op], `unknown operator ${op} (use ${OPERATOR_LIST})`);
    }
    return;
  }
  if (isPlainObject(condition)) {
    const keys = Object.keys(condition);
    const operators = keys.filter((key) => key.startsWith("$"));
    if (operators.length > 0) {
      const plain = keys.filter((key) => !key.startsWith("$"));
      for (const op of operators) {
        report(
          [...path, op],
          `operator ${op} cannot be mixed with plain keys (${plain.join(", ")}): use only $ operators, or a plain value without $ keys`,
        );
      }
      for (const key of plain) checkJson(condition[key], [...path, key], report, true);
      return;
    }
  }
  checkJson(condition, path, report, true);
}

function checkFilterObject(filter: unknown, path: IssuePath, depth: number, report: Report): void {
  if (depth > MAX_FILTER_DEPTH) {
    report(path, `filter is nested too deeply: at most ${MAX_FILTER_DEPTH} levels of $and / $or objects`);
    return;
  }
  if (!isPlainObject(filter)) {
    report(path, "must be a filter object");
    return;
  }
  for (const [key, value] of Object.entries(filter)) {
    const here = [...path, key];
    if (key === "$and" || key === "$or") {
      if (!Array.isArray(value) || value.length === 0) {
        report(here, `${key} needs a non-empty array of filter objects`);
        continue;
      }
      value.forEach((item, index) => {
        if (isPlainObject(item)) checkFilterObject(item, [...here, index], depth + 1, report);
        else report([...here, index], `${key} needs a non-empty array of filter objects`);
      });
    } else if (key.startsWith("$")) {
      report(
        here,
        `unknown operator ${key} here (use $and, $or, or a dotted path such as data.order.status)`,
      );
    } else if (key === "") {
      report(here, "path must not be empty");
    } else if (key.split(".").includes("")) {
      report(here, `path ${key} has an empty segment`);
    } else {
      checkCondition(value, here, report);
    }
  }
}

/** Validation for a webhook's `filter` in create / PATCH bodies; issue paths name the offending key. */
export const payloadFilterSchema: z.ZodType<PayloadFilter> = z
  .record(z.string(), z.unknown(), { error: "filter must be a JSON object mapping paths to conditions" })
  .superRefine((filter, ctx) => {
    const report: Report = (path, message) => ctx.addIssue({ code: "custom", path, message });
    const bytes = jsonBytes(filter);
    if (bytes === null) {
      report([], "filter must be JSON");
      return;
    }
    if (bytes > MAX_FILTER_BYTES) {
      report([], `filter is ${bytes} bytes as JSON; the limit is ${MAX_FILTER_BYTES} bytes (4 KiB)`);
      return;
    }
    checkFilterObject(filter, [], 1, report);
  });

// ---------------------------------------------------------------------------------------------------
// Compilation

type Test = (value: unknown) => boolean;
type Predicate = (root: unknown) => boolean;
type Getter = (root: unknown) => unknown;

const INDEX = /^(?:0|[1-9]\d*)$/;

function step(value: unknown, key: string, index: number): unknown {
  if (typeof value !== "object" || value === null) return undefined;
  if (Array.isArray(value)) return index >= 0 && index < value.length ? value[index] : undefined;
  return Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
}

function compilePath(path: string): Getter {
  const keys = path.split(".");
  const indexes = keys.map((key) => (INDEX.test(key) ? Number(key) : -1));
  const [k0 = "", k1 = "", k2 = ""] = keys;
  const [i0 = -1, i1 = -1, i2 = -1] = indexes;
  switch (keys.length) {
    case 1:
      return (root) => step(root, k0, i0);
    case 2:
      return (root) => step(step(root, k0, i0), k1, i1);
    case 3:
      return (root) => step(step(step(root, k0, i0), k1, i1), k2, i2);
    default:
      return (root) => {
        let value = root;
        for (let i = 0; i < keys.length && value !== undefined; i++) {
          value = step(value, keys[i] as string, indexes[i] as number);
        }
        return value;
      };
  }
}

function isPrimitive(value: unknown): value is string | number | boolean | null {
  return (
    value === null || typeof value === "string" || typeof value === "number" || typeof value === "boolean"
  );
}

/** Deep JSON equality against a constant, unrolled into closures at compile time. */
function compileEquals(expected: unknown): Test {
  if (isPrimitive(expected)) return (value) => value === expected;
  if (Array.isArray(expected)) {
    const items = expected.map(compileEquals);
    const length = items.length;
    return (value) => {
      if (!Array.isArray(value) || value.length !== length) return false;
      for (let i = 0; i < length; i++) if (!(items[i] as Test)(value[i])) return false;
      return true;
    };
  }
  if (isPlainObject(expected)) {
    const keys = Object.keys(expected);
    const tests = keys.map((key) => compileEquals(expected[key]));
    const count = keys.length;
    return (value) => {
      if (!isPlainObject(value)) return false;
      let seen = 0;
      for (const key in value) if (Object.hasOwn(value, key)) seen++;
      if (seen !== count) return false;
      for (let i = 0; i < count; i++) {
        const key = keys[i] as string;
        if (!Object.hasOwn(value, key) || !(tests[i] as Test)(value[key])) return false;
      }
      return true;
    };
  }
  return () => false;
}

function compileIn(operand: unknown): Test {
  const elements = Array.isArray(operand) ? operand : [];
  const primitives = new Set<unknown>();
  const composites: Test[] = [];
  for (const element of elements) {
    if (isPrimitive(element)) primitives.add(element);
    else composites.push(compileEquals(element));
  }
  if (composites.length === 0) return (value) => primitives.has(value);
  return (value) => {
    if (typeof value !== "object" || value === null) return primitives.has(value);
    for (let i = 0; i < composites.length; i++) if ((composites[i] as Test)(value)) return true;
    return false;
  };
}

function compileOperator(op: string, operand: unknown): Test {
  switch (op) {
    case "$eq":
      return compileEquals(operand);
    case "$ne": {
      const equals = compileEquals(operand);
      return (value) => !equals(value);
    }
    case "$gt":
      if (typeof operand === "number") return (value) => typeof value === "number" && value > operand;
      if (typeof operand === "string") return (value) => typeof value === "string" && value > operand;
      return () => false;
    case "$gte":
      if (typeof operand === "number") return (value) => typeof value === "number" && value >= operand;
      if (typeof operand === "string") return (value) => typeof value === "string" && value >= operand;
      return () => false;
    case "$lt":
      if (typeof operand === "number") return (value) => typeof value === "number" && value < operand;
      if (typeof operand === "string") return (value) => typeof value === "string" && value < operand;
      return () => false;
    case "$lte":
      if (typeof operand === "number") return (value) => typeof value === "number" && value <= operand;
      if (typeof operand === "string") return (value) => typeof value === "string" && value <= operand;
      return () => false;
    case "$in":
      return compileIn(operand);
    case "$nin": {
      const within = compileIn(operand);
      return (value) => !within(value);
    }
    case "$exists":
      return operand === true ? (value) => value !== undefined : (value) => value === undefined;
    case "$prefix": {
      const prefix = String(operand);
      return (value) => typeof value === "string" && value.startsWith(prefix);
    }
    default:
      throw new Error(`unknown operator ${op} (validate filters with payloadFilterSchema first)`);
  }
}

function allOf<T>(tests: ((input: T) => boolean)[]): (input: T) => boolean {
  const [a, b] = tests;
  if (tests.length === 0) return () => true;
  if (tests.length === 1 && a) return a;
  if (tests.length === 2 && a && b) return (input) => a(input) && b(input);
  return (input) => {
    for (let i = 0; i < tests.length; i++) if (!(tests[i] as (input: T) => boolean)(input)) return false;
    return true;
  };
}

function anyOf<T>(tests: ((input: T) => boolean)[]): (input: T) => boolean {
  const [a, b] = tests;
  if (tests.length === 0) return () => false;
  if (tests.length === 1 && a) return a;
  if (tests.length === 2 && a && b) return (input) => a(input) || b(input);
  return (input) => {
    for (let i = 0; i < tests.length; i++) if ((tests[i] as (input: T) => boolean)(input)) return true;
    return false;
  };
}

function compileCondition(condition: unknown): Test {
  if (isOperatorObject(condition)) {
    return allOf(Object.entries(condition).map(([op, operand]) => compileOperator(op, operand)));
  }
  return compileEquals(condition);
}

function compileObject(filter: PayloadFilter): Predicate {
  const predicates = Object.entries(filter).map(([key, value]): Predicate => {
    if (key === "$and" || key === "$or") {
      const parts = (value as PayloadFilter[]).map(compileObject);
      return key === "$and" ? allOf(parts) : anyOf(parts);
    }
    const get = compilePath(key);
    const test = compileCondition(value);
    return (root) => test(get(root));
  });
  return allOf(predicates);
}

/**
 * Compiles a filter (already accepted by `payloadFilterSchema`) into a predicate over event envelopes.
 * Compile once per webhook and reuse; the result does not refer back to `filter`.
 */
export function compilePayloadFilter(filter: PayloadFilter): CompiledFilter {
  return compileObject(filter);
}
