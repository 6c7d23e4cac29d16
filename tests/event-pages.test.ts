import { createProject } from "./support/fixtures.js";
import { type Stack, startStack } from "./support/stack.js";

// A page of events is bounded in bytes as well as by `limit`: 250 events of MAX_PAYLOAD_BYTES would not fit
// the api's memory (issue 11, item 9). A shorter page still carries next_cursor, and paging sees each once.
describe("event list pages bounded in bytes", () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({}, { dispatcher: false });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it("cuts a page of large events at about 8 MB, with a cursor that reaches every event once", async () => {
    const project = await createProject(stack);
    const big = "x".repeat(240 * 1024);
    const posted: string[] = [];
    for (let n = 0; n < 40; n++) posted.push((await project.event("big.event", { n, big })).event_id);

    const seen: string[] = [];
    const pageSizes: number[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const query: string = `/events?limit=250${cursor ? `&cursor=${cursor}` : ""}`;
      const { status, body } = await stack.call("GET", project.path(query), { key: project.key });
      expect(status).toBe(200);
      pageSizes.push(body.data.length);
      seen.push(...body.data.map((event: { id: string }) => event.id));
      cursor = body.next_cursor;
      if (!cursor) break;
    }
    // 40 × 240 KB = 9.6 MB: two pages, the first cut by bytes (about 34 events), not by limit.
    expect(pageSizes.length).toBe(2);
    expect(pageSizes[0]).toBeGreaterThan(20);
    expect(pageSizes[0]).toBeLessThan(40);
    expect(seen.sort()).toEqual([...posted].sort());
  }, 60_000);

  it("small events still fill a page up to its limit", async () => {
    const project = await createProject(stack, "small");
    for (let n = 0; n < 12; n++) await project.event("small.event", { n });
    const { body } = await stack.call("GET", project.path("/events?limit=5"), { key: project.key });
    expect(body.data).toHaveLength(5);
    expect(body.next_cursor).toBe(body.data[4].id);
    const all = await stack.call("GET", project.path("/events?limit=250"), { key: project.key });
    expect(all.body.data).toHaveLength(12);
    expect(all.body.next_cursor).toBeNull();
  });
});
