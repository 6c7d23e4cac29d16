/** One page of a list, as the API answers it. */
export interface Page<Item> {
  data: Item[];
  next_cursor: string | null;
}

/**
 * A list that fetches its pages as they are needed: `for await (const item of list)` walks every item of
 * every page; `pages()` yields whole pages; `firstPage()` fetches one. Each walk starts from the beginning.
 */
export class PagedList<Item> implements AsyncIterable<Item> {
  constructor(private readonly fetchPage: (cursor: string | undefined) => Promise<Page<Item>>) {}

  firstPage(): Promise<Page<Item>> {
    return this.fetchPage(undefined);
  }

  async *pages(): AsyncGenerator<Page<Item>, void, undefined> {
    let cursor: string | undefined;
    do {
      const page = await this.fetchPage(cursor);
      yield page;
      cursor = page.next_cursor ?? undefined;
    } while (cursor !== undefined);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Item, void, undefined> {
    for await (const page of this.pages()) yield* page.data;
  }

  /** Every item, fetched page by page: for lists known to be small. */
  async all(): Promise<Item[]> {
    const items: Item[] = [];
    for await (const item of this) items.push(item);
    return items;
  }
}
