import { type IdKind, idAtTime, type ListPage, type ListQuery } from "@hookrelay/shared";

export type SortOrder = "asc" | "desc";

type IdFilter = { lt?: string; gt?: string; gte?: string; lte?: string };

export interface KeysetArgs {
  where: { id?: IdFilter };
  orderBy: { id: SortOrder };
  take: number;
}

export interface TimeWindow {
  kind: IdKind;
  since?: Date;
  until?: Date;
}

/**
 * Keyset pagination on the time-sortable id: stable under concurrent inserts (no row skipped or repeated),
 * never OFFSET. A time window becomes an id range on the same index. `fetch` runs the query with the given
 * where/orderBy/take merged into its own filters.
 */
export async function pageByKeyset<Row extends { id: string }, Item>(
  query: ListQuery,
  order: SortOrder,
  /** The rows; or those that fit, with `more` when it stopped short of `take` (a page bounded in bytes). */
  fetch: (args: KeysetArgs) => Promise<Row[] | { rows: Row[]; more: boolean }>,
  present: (row: Row) => Item,
  window?: TimeWindow,
): Promise<ListPage<Item>> {
  const id: IdFilter = {};
  if (query.cursor) id[order === "desc" ? "lt" : "gt"] = query.cursor;
  if (window?.since) id.gte = idAtTime(window.kind, window.since, "start");
  if (window?.until) id.lte = idAtTime(window.kind, window.until, "end");
  const where = Object.keys(id).length > 0 ? { id } : {};
  const fetched = await fetch({ where, orderBy: { id: order }, take: query.limit + 1 });
  const { rows, more } = Array.isArray(fetched)
    ? { rows: fetched, more: fetched.length > query.limit }
    : fetched;
  const page = rows.slice(0, query.limit);
  const next = more ? page.at(-1)?.id : undefined;
  return { data: page.map(present), next_cursor: next ?? null };
}
