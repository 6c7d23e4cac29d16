import type { ListPage, ListQuery } from "@hookrelay/shared";

export type SortOrder = "asc" | "desc";

export interface KeysetArgs {
  where: { id?: { lt: string } | { gt: string } };
  orderBy: { id: SortOrder };
  take: number;
}

/**
 * Keyset pagination on the time-sortable id: stable under concurrent inserts (no row skipped or repeated),
 * never OFFSET. `fetch` runs the query with the given where/orderBy/take merged into its own filters.
 */
export async function pageByKeyset<Row extends { id: string }, Item>(
  query: ListQuery,
  order: SortOrder,
  fetch: (args: KeysetArgs) => Promise<Row[]>,
  present: (row: Row) => Item,
): Promise<ListPage<Item>> {
  const where = query.cursor ? { id: order === "desc" ? { lt: query.cursor } : { gt: query.cursor } } : {};
  const rows = await fetch({ where, orderBy: { id: order }, take: query.limit + 1 });
  const page = rows.slice(0, query.limit);
  const next = rows.length > query.limit ? page.at(-1)?.id : undefined;
  return { data: page.map(present), next_cursor: next ?? null };
}
