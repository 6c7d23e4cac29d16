import type { RecordedChange } from "@hookrelay/db";
import { changeDataJson, changeEvent, columnsToOmit } from "./change-events.js";

const update: RecordedChange = {
  id: "42",
  op: "UPDATE",
  schema: "public",
  table: "Orders",
  rowJson: '{"id": 9007199254740993, "body": "new", "status": "paid"}',
  oldRowJson: '{"id": 9007199254740993, "body": "old", "status": "new"}',
  changedAt: "2026-12-01T10:00:00.123456Z",
  xid: "777",
};

describe("change events", () => {
  it("has the SPEC's data shape, rows spliced in as PostgreSQL wrote them", () => {
    const text = changeDataJson(update);
    expect(JSON.parse(text)).toEqual({
      event: "UPDATE",
      schema: "public",
      table: "Orders",
      row: { id: expect.any(Number), body: "new", status: "paid" },
      old_row: { id: expect.any(Number), body: "old", status: "new" },
      timestamp: "2026-12-01T10:00:00.123456Z",
    });
    expect(text).toContain('"row":{"id": 9007199254740993,');
  });

  it("gives null rows for INSERT's old row and DELETE's new row", () => {
    const data = JSON.parse(changeDataJson({ ...update, op: "DELETE", rowJson: null }));
    expect(data.row).toBeNull();
    expect(data.old_row.status).toBe("new");
  });

  it("types events db.<schema>.<table>.<op> in lower case, keyed by source, transaction and change", () => {
    expect(changeEvent("src_1", update, "{}")).toEqual({
      eventType: "db.public.orders.update",
      dataJson: "{}",
      idempotencyKey: "src_1:777:42",
    });
  });

  it("omits nothing when the data fits", () => {
    expect(columnsToOmit(update, 10_000)).toEqual([]);
  });

  it("omits the largest columns first until the data fits, and says which", () => {
    const big = "x".repeat(5_000);
    const change = {
      ...update,
      rowJson: JSON.stringify({ id: 1, body: big, note: "y".repeat(3_000), status: "paid" }),
      oldRowJson: JSON.stringify({ id: 1, body: "short", note: "z".repeat(3_000), status: "new" }),
    };
    const omitted = columnsToOmit(change, 4_000);
    expect(omitted).toEqual(["body", "note"]);
    const rowWithout = (json: string) =>
      JSON.stringify(
        Object.fromEntries(Object.entries(JSON.parse(json)).filter(([k]) => !omitted.includes(k))),
      );
    const trimmed = {
      ...change,
      rowJson: rowWithout(change.rowJson),
      oldRowJson: rowWithout(change.oldRowJson),
    };
    expect(Buffer.byteLength(changeDataJson(trimmed, omitted))).toBeLessThanOrEqual(4_000);
    // note (3,000 bytes in both rows) outweighs body (5,000 in one): it goes first.
    expect(columnsToOmit(change, 8_000)).toEqual(["note"]);
  });
});
