import { monotonicFactory } from "ulid";

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
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

export function newId(kind: IdKind, now = Date.now()): string {
  return `${ID_PREFIXES[kind]}_${ulid(now).toLowerCase()}`;
}

export function isId(kind: IdKind, value: string): boolean {
  return new RegExp(`^${ID_PREFIXES[kind]}_[0-9a-hjkmnp-tv-z]{26}$`).test(value);
}
