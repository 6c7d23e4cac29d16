import { decodeTime, encodeTime, monotonicFactory } from "ulid";

// Prefixed ULIDs: the 48-bit millisecond timestamp leads, so ids sort by creation time and lists can page
// by id. Lower-cased for readability; the order of [0-9a-z] is the same as ULID's own.
const ulid = monotonicFactory();

export const ID_PREFIXES = {
  project: "proj",
  apiKey: "key",
  webhook: "wh",
  event: "evt",
  delivery: "dlv",
  attempt: "att",
  source: "src",
  recovery: "rcv",
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

export function newId(kind: IdKind, now = Date.now()): string {
  return `${ID_PREFIXES[kind]}_${ulid(now).toLowerCase()}`;
}

export function isId(kind: IdKind, value: string): boolean {
  return new RegExp(`^${ID_PREFIXES[kind]}_[0-9a-hjkmnp-tv-z]{26}$`).test(value);
}

/**
 * The smallest (`start`) or largest (`end`) possible id of `kind` created in the millisecond of `at`, so a
 * time window becomes an id range and list filters by time use the same index as the cursor.
 */
export function idAtTime(kind: IdKind, at: Date, edge: "start" | "end"): string {
  const time = encodeTime(Math.max(0, at.getTime()), 10).toLowerCase();
  return `${ID_PREFIXES[kind]}_${time}${(edge === "start" ? "0" : "z").repeat(16)}`;
}

/** When an id made by `newId` was created (its leading timestamp). */
export function idTime(id: string): Date {
  return new Date(decodeTime(id.slice(id.indexOf("_") + 1).toUpperCase()));
}
