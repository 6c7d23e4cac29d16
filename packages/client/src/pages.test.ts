import { type Page, PagedList } from "./pages.js";

/** A list of `total` numbers served `size` at a time, recording the cursors asked for. */
function numbers(total: number, size: number) {
  const asked: Array<string | undefined> = [];
  const list = new PagedList<number>(async (cursor) => {
    asked.push(cursor);
    const start = cursor === undefined ? 0 : Number(cursor);
    const data = Array.from({ length: Math.max(0, Math.min(size, total - start)) }, (_, i) => start + i);
    const next = start + size < total ? String(start + size) : null;
    return { data, next_cursor: next } satisfies Page<number>;
  });
  return { list, asked };
}

describe("PagedList", () => {
  it("walks every item of every page, following next_cursor", async () => {
    const { list, asked } = numbers(7, 3);
    const seen: number[] = [];
    for await (const item of list) seen.push(item);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(asked).toEqual([undefined, "3", "6"]);
  });

  it("stops after the page whose next_cursor is null, also for an empty list", async () => {
    expect(await numbers(0, 3).list.all()).toEqual([]);
    const { list, asked } = numbers(3, 3);
    expect(await list.all()).toEqual([0, 1, 2]);
    expect(asked).toEqual([undefined]);
  });

  it("fetches only what is consumed: breaking out of the loop asks for no further page", async () => {
    const { list, asked } = numbers(100, 10);
    for await (const item of list) if (item === 12) break;
    expect(asked).toEqual([undefined, "10"]);
  });

  it("yields whole pages, and each walk starts over", async () => {
    const { list } = numbers(5, 2);
    const sizes: number[] = [];
    for await (const page of list.pages()) sizes.push(page.data.length);
    expect(sizes).toEqual([2, 2, 1]);
    expect((await list.firstPage()).data).toEqual([0, 1]);
  });
});
