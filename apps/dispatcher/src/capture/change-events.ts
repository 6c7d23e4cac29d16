import type { RecordedChange } from "@hookrelay/db";
import type { EventInput } from "@hookrelay/ingest";
import { changeEventType } from "@hookrelay/shared";

/**
 * A captured change's event `data` as JSON text, with the rows spliced in as PostgreSQL rendered them (no
 * parse and re-serialize: numbers keep every digit). `omitted` names columns left out for size.
 */
export function changeDataJson(change: RecordedChange, omitted: string[] = []): string {
  const head = JSON.stringify({ event: change.op, schema: change.schema, table: change.table });
  const tail = omitted.length > 0 ? `,"omitted_columns":${JSON.stringify(omitted)}` : "";
  return (
    `${head.slice(0, -1)},"row":${change.rowJson ?? "null"},"old_row":${change.oldRowJson ?? "null"},` +
    `"timestamp":${JSON.stringify(change.changedAt)}${tail}}`
  );
}

/** One event per change, ever: the key holds the source, the transaction and the change's id. */
export function changeIdempotencyKey(sourceId: string, change: RecordedChange): string {
  return `${sourceId}:${change.xid}:${change.id}`;
}

export function changeEvent(sourceId: string, change: RecordedChange, dataJson: string): EventInput {
  return {
    eventType: changeEventType(change.schema, change.table, change.op),
    dataJson,
    idempotencyKey: changeIdempotencyKey(sourceId, change),
  };
}

/**
 * The columns to leave out of `row`/`old_row` so the data fits in `maxBytes`: the largest values first
 * (a receiver keeps the row's ids and small fields and can fetch the rest). Sorted by name. Empty when
 * it fits already.
 */
export function columnsToOmit(change: RecordedChange, maxBytes: number): string[] {
  const size = Buffer.byteLength(changeDataJson(change));
  if (size <= maxBytes) return [];
  const sizes = new Map<string, number>();
  for (const json of [change.rowJson, change.oldRowJson]) {
    if (!json) continue;
    for (const [column, value] of Object.entries(JSON.parse(json) as Record<string, unknown>)) {
      // The key, its quotes, colon and separators count too.
      const bytes = Buffer.byteLength(JSON.stringify(value) ?? "null") + Buffer.byteLength(column) + 6;
      sizes.set(column, (sizes.get(column) ?? 0) + bytes);
    }
  }
  const omitted: string[] = [];
  let remaining = size;
  for (const [column, bytes] of [...sizes].sort((a, b) => b[1] - a[1])) {
    if (remaining <= maxBytes) break;
    omitted.push(column);
    // Each omitted name also appears in `omitted_columns`.
    remaining -= bytes - Buffer.byteLength(JSON.stringify(column)) - 1;
  }
  return omitted.sort();
}
