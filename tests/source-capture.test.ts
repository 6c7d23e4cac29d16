import { createProject, type TestProject } from "./support/fixtures.js";
import { eventually, type ReceivedRequest, TestReceiver } from "./support/receiver.js";
import { createSourceDatabase, type SourceDatabase } from "./support/source-database.js";
import { ADMIN_KEY, type Stack, startStack } from "./support/stack.js";

// Database change sources end to end: rows change in a product's PostgreSQL database, the in-process
// dispatcher captures them, and a real receiver gets one event per committed change.

/** The contract's change timestamp: ISO 8601, UTC, microseconds. */
const CHANGE_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
/** How long a disabled source is given to notice before a change is made that it must not capture. */
const DISABLE_NOTICE_MS = 1_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface StoredEvent {
  id: string;
  eventType: string;
  /** The event's JSON data as Prisma returns it. */
  data: any;
  payload: string;
  idempotencyKey: string | null;
}

/** The value of one Prometheus sample with this metric name and `source_id` label, if present. */
function sourceSample(text: string, name: string, sourceId: string): number | undefined {
  for (const line of text.split("\n")) {
    const match = /^([a-zA-Z_:][\w:]*)\{([^}]*)\} (\S+)$/.exec(line);
    if (match?.[1] === name && match[2]?.includes(`source_id="${sourceId}"`)) return Number(match[3]);
  }
  return undefined;
}

describe("database change capture: what receivers get", () => {
  let stack: Stack;
  let receiver: TestReceiver;
  let project: TestProject;
  let source: SourceDatabase;
  let sourceId: string;
  let ordersWebhook: { id: string };
  /** Every change made so far that must become an event. */
  let firingChanges = 0;
  /** The newest db.* event when the current test started. */
  let mark = "";

  beforeAll(async () => {
    stack = await startStack({
      CAPTURE_POLL_INTERVAL: "200ms",
      SOURCE_BACKLOG_INTERVAL: "300ms",
      MAX_PAYLOAD_BYTES: "4096",
      RETRY_SCHEDULE: "200ms",
    });
    receiver = await TestReceiver.start();
    project = await createProject(stack);
    source = await createSourceDatabase();
    await source.query(
      `CREATE TABLE orders (id bigint PRIMARY KEY, status text NOT NULL, note text, qty bigint);
       CREATE TABLE customers (id bigint PRIMARY KEY, name text NOT NULL)`,
    );
    ordersWebhook = await project.webhook({
      url: `${receiver.url}/orders`,
      event_types: ["db.public.orders.*"],
    });
    await project.webhook({ url: `${receiver.url}/customers`, event_types: ["db.public.customers.*"] });
    const created = await stack.call("POST", `/v1/projects/${project.id}/sources`, {
      key: ADMIN_KEY,
      body: {
        name: "shop",
        database_url: source.url,
        tables: [{ table: "orders", columns: ["status"] }, { table: "customers" }],
      },
    });
    if (created.status !== 201) throw new Error(`source: ${created.status} ${JSON.stringify(created.body)}`);
    sourceId = created.body.id;
  });

  afterAll(async () => {
    await stack?.stop();
    await receiver?.close();
    await source?.drop();
  }, 60_000);

  beforeEach(async () => {
    const [latest] = await changeEvents("", "desc");
    mark = latest?.id ?? "";
  });

  const sourcePath = () => `/v1/projects/${project.id}/sources/${sourceId}`;
  const getSource = async () => {
    const response = await stack.call("GET", sourcePath(), { key: ADMIN_KEY });
    expect(response.status).toBe(200);
    return response.body;
  };
  const setEnabled = async (enabled: boolean) => {
    const response = await stack.call("PATCH", sourcePath(), { key: ADMIN_KEY, body: { enabled } });
    expect(response.status).toBe(200);
    expect(response.body.enabled).toBe(enabled);
  };

  /** The project's db.* events after `after`, in id (= ingestion) order. */
  function changeEvents(after: string, order: "asc" | "desc" = "asc"): Promise<StoredEvent[]> {
    return stack.db.event.findMany({
      where: { projectId: project.id, eventType: { startsWith: "db." }, id: { gt: after } },
      orderBy: { id: order },
    });
  }

  /**
   * Waits for `count` db.* events after the test's mark and for the change table to be empty, and returns
   * all the events: each change is ingested before its row is deleted, so with no row left every change
   * committed so far has become its events, and no extra or duplicate can follow.
   */
  async function nextEvents(count: number): Promise<StoredEvent[]> {
    await eventually(async () => (await changeEvents(mark)).length >= count || undefined, 15_000).catch(
      async () => {
        const got = await changeEvents(mark);
        throw new Error(`expected ${count} change events, got ${JSON.stringify(summary(got))}`);
      },
    );
    await eventually(async () => (await changeRows()) === 0 || undefined, 15_000).catch(async () => {
      throw new Error(`the change table still holds ${await changeRows()} rows`);
    });
    return changeEvents(mark);
  }

  /** Rows in the source database's change table: committed changes not yet ingested. */
  async function changeRows(): Promise<number> {
    const { rows } = await source.query("SELECT count(*)::int AS count FROM hookrelay_capture.changes");
    return rows[0].count;
  }

  /** [event_type, id of the row] of each event, to compare sequences at a glance. */
  const summary = (events: StoredEvent[]) =>
    events.map((event) => [event.eventType, (event.data?.row ?? event.data?.old_row)?.id]);

  /** The receiver's request for each event (matched on webhook-id), in the events' order. */
  async function requestsFor(events: StoredEvent[]): Promise<ReceivedRequest[]> {
    return eventually(async () => {
      const found = events.map((event) =>
        receiver.requests.find((request) => request.headers["webhook-id"] === event.id),
      );
      return found.every((request) => request !== undefined) ? (found as ReceivedRequest[]) : undefined;
    }, 15_000);
  }

  /**
   * Each event reached the webhook of its table as exactly the stored payload, and the delivered `data`
   * is what the api's GET event answers.
   */
  async function expectDelivered(events: StoredEvent[]): Promise<void> {
    const requests = await requestsFor(events);
    for (const [index, event] of events.entries()) {
      const request = requests[index] as ReceivedRequest;
      expect(request.url).toBe(`/${event.data.table}`);
      expect(request.headers["x-webhook-event"]).toBe(event.eventType);
      const text = request.body.toString("utf8");
      expect(text).toBe(event.payload);
      const body = JSON.parse(text);
      expect(body).toMatchObject({ event_id: event.id, event_type: event.eventType, project_id: project.id });
      const viaApi = await stack.call("GET", project.path(`/events/${event.id}`), { key: project.key });
      expect(viaApi.status).toBe(200);
      expect(viaApi.body.event_type).toBe(event.eventType);
      expect(body.data).toEqual(viaApi.body.data);
    }
  }

  const change = (
    event: "INSERT" | "UPDATE" | "DELETE",
    table: string,
    row: Record<string, unknown> | null,
    oldRow: Record<string, unknown> | null,
  ) => ({
    event,
    schema: "public",
    table,
    row,
    old_row: oldRow,
    timestamp: expect.stringMatching(CHANGE_TIMESTAMP),
  });
  const order = (id: number, status: string, note: string | null = null, qty: number | null = null) => ({
    id,
    status,
    note,
    qty,
  });

  it("an INSERT becomes db.public.orders.insert with the new row, old_row null and the change's time", async () => {
    const before = Date.now();
    await source.query("INSERT INTO orders (id, status) VALUES (1, 'new')");
    firingChanges += 1;
    const after = Date.now();

    const events = await nextEvents(1);
    expect(summary(events)).toEqual([["db.public.orders.insert", 1]]);
    const [event] = events as [StoredEvent];
    expect(event.data).toEqual(change("INSERT", "orders", order(1, "new"), null));
    const at = Date.parse(event.data.timestamp);
    expect(at).toBeGreaterThanOrEqual(before - 5_000);
    expect(at).toBeLessThanOrEqual(after + 5_000);
    expect(event.idempotencyKey).toMatch(new RegExp(`^${sourceId}:\\d+:\\d+$`));
    await expectDelivered(events);
  });

  it("with `columns`, an UPDATE of an unlisted column fires nothing; one touching a listed column fires", async () => {
    await source.query("UPDATE orders SET note = 'gift' WHERE id = 1");
    await source.query("UPDATE orders SET status = 'paid' WHERE id = 1");
    await source.query("UPDATE orders SET status = 'shipped', note = 'wrapped' WHERE id = 1");
    firingChanges += 2;

    const events = await nextEvents(2);
    expect(summary(events)).toEqual([
      ["db.public.orders.update", 1],
      ["db.public.orders.update", 1],
    ]);
    expect(events[0]?.data).toEqual(
      change("UPDATE", "orders", order(1, "paid", "gift"), order(1, "new", "gift")),
    );
    expect(events[1]?.data).toEqual(
      change("UPDATE", "orders", order(1, "shipped", "wrapped"), order(1, "paid", "gift")),
    );
    await expectDelivered(events);
  });

  it("without `columns`, an UPDATE of any column fires; an UPDATE that changes no value fires nothing", async () => {
    await source.query("INSERT INTO customers (id, name) VALUES (10, 'Ada')");
    await source.query("UPDATE customers SET name = name WHERE id = 10");
    await source.query("UPDATE customers SET name = 'Ada' WHERE id = 10");
    await source.query("UPDATE orders SET status = status, note = note WHERE id = 1");
    await source.query("UPDATE customers SET name = 'Grace' WHERE id = 10");
    firingChanges += 2;

    const events = await nextEvents(2);
    expect(summary(events)).toEqual([
      ["db.public.customers.insert", 10],
      ["db.public.customers.update", 10],
    ]);
    expect(events[0]?.data).toEqual(change("INSERT", "customers", { id: 10, name: "Ada" }, null));
    expect(events[1]?.data).toEqual(
      change("UPDATE", "customers", { id: 10, name: "Grace" }, { id: 10, name: "Ada" }),
    );
    await expectDelivered(events);
  });

  it("a DELETE becomes db.public.customers.delete with row null and old_row the deleted row", async () => {
    await source.query("DELETE FROM customers WHERE id = 10");
    firingChanges += 1;

    const events = await nextEvents(1);
    expect(summary(events)).toEqual([["db.public.customers.delete", 10]]);
    expect(events[0]?.data).toEqual(change("DELETE", "customers", null, { id: 10, name: "Grace" }));
    await expectDelivered(events);
  });

  it("a rolled-back transaction fires nothing", async () => {
    await expect(
      source.transaction(async (client) => {
        await client.query("INSERT INTO orders (id, status) VALUES (2, 'ghost')");
        await client.query("INSERT INTO customers (id, name) VALUES (2, 'ghost')");
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    // Committed after the rolled-back work on both tables: if that had been captured, it would come first.
    await source.query("INSERT INTO orders (id, status) VALUES (3, 'real')");
    await source.query("INSERT INTO customers (id, name) VALUES (4, 'real')");
    firingChanges += 2;

    const events = await nextEvents(2);
    expect(summary(events)).toEqual([
      ["db.public.orders.insert", 3],
      ["db.public.customers.insert", 4],
    ]);
    await expectDelivered(events);
  });

  it("a statement changing three rows gives three events in row order, one transaction", async () => {
    await source.query("INSERT INTO orders (id, status) VALUES (11, 'a'), (12, 'b'), (13, 'c')");
    firingChanges += 3;

    const events = await nextEvents(3);
    expect(summary(events)).toEqual([
      ["db.public.orders.insert", 11],
      ["db.public.orders.insert", 12],
      ["db.public.orders.insert", 13],
    ]);
    expect(events.map((event) => event.data.row)).toEqual([order(11, "a"), order(12, "b"), order(13, "c")]);
    // <source_id>:<xid>:<change_id>: one transaction, increasing change ids.
    const keys = events.map((event) => (event.idempotencyKey ?? "").split(":"));
    expect(new Set(keys.map((key) => key[1])).size).toBe(1);
    const changeIds = keys.map((key) => Number(key[2]));
    expect([...changeIds].sort((a, b) => a - b)).toEqual(changeIds);
    expect(new Set(changeIds).size).toBe(3);
    await expectDelivered(events);
  });

  it("one transaction over two tables: events follow statement order across both event types", async () => {
    await source.transaction(async (client) => {
      await client.query("INSERT INTO orders (id, status) VALUES (21, 'new')");
      await client.query("INSERT INTO customers (id, name) VALUES (22, 'Linus')");
      await client.query("UPDATE orders SET status = 'paid' WHERE id = 21");
    });
    firingChanges += 3;

    const events = await nextEvents(3);
    expect(summary(events)).toEqual([
      ["db.public.orders.insert", 21],
      ["db.public.customers.insert", 22],
      ["db.public.orders.update", 21],
    ]);
    expect(events[2]?.data).toEqual(change("UPDATE", "orders", order(21, "paid"), order(21, "new")));
    expect(new Set(events.map((event) => event.idempotencyKey?.split(":")[1])).size).toBe(1);
    const requests = await requestsFor(events);
    expect(requests.map((request) => request.url)).toEqual(["/orders", "/customers", "/orders"]);
    await expectDelivered(events);
  });

  it("changes made while the source is disabled show as pending_changes and arrive after re-enabling", async () => {
    await setEnabled(false);
    await sleep(DISABLE_NOTICE_MS);
    const before = Date.now();
    await source.query("INSERT INTO orders (id, status) VALUES (31, 'while disabled')");
    await source.query("INSERT INTO orders (id, status) VALUES (32, 'while disabled')");
    firingChanges += 2;

    const backlog = await eventually(async () => {
      const current = await getSource();
      return current.pending_changes === 2 ? current : undefined;
    }, 10_000).catch(async () => {
      throw new Error(`pending_changes never reached 2: ${JSON.stringify(await getSource())}`);
    });
    expect(backlog.enabled).toBe(false);
    expect(backlog.oldest_pending_at).toMatch(ISO_TIME);
    expect(Date.parse(backlog.oldest_pending_at)).toBeGreaterThanOrEqual(before - 5_000);
    // Not captured while disabled, and still recorded in the source database.
    expect(await changeEvents(mark)).toEqual([]);
    const recorded = await source.query(
      "SELECT count(*)::int AS n FROM hookrelay_capture.changes WHERE source_id = $1",
      [sourceId],
    );
    expect(recorded.rows[0].n).toBe(2);

    await setEnabled(true);
    const events = await nextEvents(2);
    expect(summary(events)).toEqual([
      ["db.public.orders.insert", 31],
      ["db.public.orders.insert", 32],
    ]);
    await expectDelivered(events);
    const drained = await eventually(async () => {
      const current = await getSource();
      return current.pending_changes === 0 ? current : undefined;
    }, 10_000);
    expect(drained.oldest_pending_at).toBeNull();
  });

  it("a bigint beyond 2^53 reaches the receiver with all its digits", async () => {
    await source.query("INSERT INTO orders (id, status, qty) VALUES (41, 'big', 9007199254740993)");
    firingChanges += 1;

    const events = await nextEvents(1);
    expect(summary(events)).toEqual([["db.public.orders.insert", 41]]);
    const [event] = events as [StoredEvent];
    const [request] = await requestsFor(events);
    const text = request?.body.toString("utf8") ?? "";
    expect(text).toBe(event.payload);
    // A number or a string, but never the double 9007199254740992 that a JSON.parse round trip makes.
    expect(text).toMatch(/"qty":\s*"?9007199254740993"?\s*[,}]/);
  });

  it("a row over MAX_PAYLOAD_BYTES goes out without its largest column, named in omitted_columns; capture goes on", async () => {
    await source.query("INSERT INTO orders (id, status, note) VALUES (51, 'large', repeat('x', 10240))");
    await source.query("UPDATE orders SET status = 'larger' WHERE id = 51");
    await source.query("INSERT INTO orders (id, status) VALUES (52, 'after')");
    firingChanges += 3;

    const events = await nextEvents(3);
    expect(summary(events)).toEqual([
      ["db.public.orders.insert", 51],
      ["db.public.orders.update", 51],
      ["db.public.orders.insert", 52],
    ]);
    expect(events[0]?.data).toEqual({
      ...change("INSERT", "orders", { id: 51, status: "large", qty: null }, null),
      omitted_columns: ["note"],
    });
    expect(events[1]?.data).toEqual({
      ...change(
        "UPDATE",
        "orders",
        { id: 51, status: "larger", qty: null },
        { id: 51, status: "large", qty: null },
      ),
      omitted_columns: ["note"],
    });
    expect(events[2]?.data).toEqual(change("INSERT", "orders", order(52, "after"), null));
    const requests = await requestsFor(events);
    for (const request of requests.slice(0, 2)) {
      expect(request.body.length).toBeLessThanOrEqual(4096);
      expect(JSON.parse(request.body.toString("utf8")).data.omitted_columns).toEqual(["note"]);
    }
    await expectDelivered(events);
  });

  it("a test send to a webhook filtering db.* types carries the change shape with event TEST", async () => {
    const sent = await stack.call("POST", project.path(`/webhooks/${ordersWebhook.id}/test`), {
      key: project.key,
    });
    expect(sent.status).toBe(200);
    expect(sent.body.success).toBe(true);
    const request = receiver.requests.find(
      (one) => one.headers["x-webhook-delivery"] === sent.body.delivery_id,
    );
    const body = JSON.parse(request?.body.toString("utf8") ?? "null");
    expect(body).toMatchObject({
      event_type: "webhook.test",
      data: { event: "TEST", schema: "public", table: "orders", row: null, old_row: null },
    });
    expect(body.data.timestamp).toMatch(ISO_TIME);
  });

  it("the dispatcher's /metrics shows the source's backlog, and it drains", async () => {
    const metricsUrl = `${stack.dispatcherUrl}/metrics`;
    const sample = async (name: string) =>
      sourceSample(await (await fetch(metricsUrl)).text(), name, sourceId);

    await setEnabled(false);
    await sleep(DISABLE_NOTICE_MS);
    const insertedAfter = Date.now();
    await source.query("INSERT INTO orders (id, status) VALUES (61, 'metered')");
    firingChanges += 1;
    await eventually(async () => (await sample("hookrelay_source_pending_changes")) === 1, 10_000).catch(
      async () => {
        throw new Error(
          `hookrelay_source_pending_changes{source_id="${sourceId}"} never 1: ${await sample("hookrelay_source_pending_changes")}`,
        );
      },
    );
    // The age of the waiting change: above zero, and no older than the time since it was made (+1 s for
    // the two clocks), not e.g. the age of the source or of the epoch.
    const age = await eventually(async () => {
      const seconds = await sample("hookrelay_source_oldest_pending_seconds");
      return seconds !== undefined && seconds > 0 ? seconds : undefined;
    }, 5_000);
    expect(age).toBeLessThanOrEqual((Date.now() - insertedAfter) / 1_000 + 1);

    await setEnabled(true);
    expect(summary(await nextEvents(1))).toEqual([["db.public.orders.insert", 61]]);
    await eventually(async () => (await sample("hookrelay_source_pending_changes")) === 0, 10_000);
    await eventually(async () => (await sample("hookrelay_source_up")) === 1, 10_000).catch(async () => {
      throw new Error(`hookrelay_source_up is ${await sample("hookrelay_source_up")} for an active source`);
    });
    const text = await (await fetch(metricsUrl)).text();
    const captured = /^hookrelay_changes_captured_total(?:\{[^}]*\})? (\S+)$/m.exec(text);
    expect(Number(captured?.[1])).toBeGreaterThanOrEqual(1);
  });

  it("made exactly one event per change, with distinct idempotency keys, and emptied the change table", async () => {
    const events = await changeEvents("");
    expect(events).toHaveLength(firingChanges);
    const keys = events.map((event) => event.idempotencyKey);
    expect(new Set(keys).size).toBe(firingChanges);
    for (const key of keys) expect(key).toMatch(new RegExp(`^${sourceId}:\\d+:\\d+$`));
    // Each event went to the one webhook of its table, once.
    expect(await stack.db.delivery.count({ where: { eventId: { in: events.map((e) => e.id) } } })).toBe(
      firingChanges,
    );
    await eventually(async () => {
      const left = await source.query("SELECT count(*)::int AS n FROM hookrelay_capture.changes");
      return left.rows[0].n === 0;
    }, 10_000).catch(async () => {
      const left = await source.query("SELECT source_id, id, op, table_name FROM hookrelay_capture.changes");
      throw new Error(`change rows left after ingest: ${JSON.stringify(left.rows)}`);
    });
  });
});
