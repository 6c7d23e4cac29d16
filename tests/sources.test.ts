import { randomBytes } from "node:crypto";
import pg from "pg";
import { createProject, type TestProject } from "./support/fixtures.js";
import { withAdminClient } from "./support/postgres-admin.js";
import { eventually, TestReceiver } from "./support/receiver.js";
import { createSourceDatabase, type SourceDatabase } from "./support/source-database.js";
import { ADMIN_KEY, type Stack, startStack } from "./support/stack.js";

// The admin API of database change sources, checked against what it installs in a real product database
// on the same PostgreSQL server.

const SOURCE_ID = /^src_[0-9a-hjkmnp-tv-z]{26}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const CAPTURE_SCHEMA = "hookrelay_capture";
/** Time for the dispatcher to notice a PATCH (several capture polls of 200 ms). */
const NOTICE_MS = 1_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("database change sources: REST API", () => {
  let stack: Stack;
  let receiver: TestReceiver;
  const databases: SourceDatabase[] = [];
  const roles: string[] = [];

  beforeAll(async () => {
    stack = await startStack({
      CAPTURE_POLL_INTERVAL: "200ms",
      SOURCE_BACKLOG_INTERVAL: "300ms",
      SOURCE_CONNECT_TIMEOUT: "2s",
    });
    receiver = await TestReceiver.start();
  });

  afterAll(async () => {
    await stack?.stop();
    await receiver?.close();
    for (const database of databases) await database.drop();
    // After the databases: their grants to the role went with them.
    for (const role of roles)
      await withAdminClient((client) => client.query(`DROP ROLE IF EXISTS "${role}"`));
  }, 60_000);

  /** A fresh product database with `orders`, `customers` and a bystander table `x`. */
  async function productDatabase(): Promise<SourceDatabase> {
    const database = await createSourceDatabase();
    databases.push(database);
    await database.query(
      `CREATE TABLE orders (id bigint PRIMARY KEY, status text NOT NULL, note text);
       CREATE TABLE customers (id bigint PRIMARY KEY, name text NOT NULL);
       CREATE TABLE x (id int)`,
    );
    return database;
  }

  const sourcesPath = (projectId: string) => `/v1/projects/${projectId}/sources`;
  const sourcePath = (projectId: string, sourceId: string) => `${sourcesPath(projectId)}/${sourceId}`;
  const admin = (method: string, path: string, body?: unknown) =>
    stack.call(method, path, { key: ADMIN_KEY, body });

  async function createSource(project: TestProject, body: Record<string, unknown>) {
    const created = await admin("POST", sourcesPath(project.id), body);
    if (created.status !== 201) throw new Error(`source: ${created.status} ${JSON.stringify(created.body)}`);
    return created.body as { id: string; [field: string]: unknown };
  }

  async function hasCaptureSchema(database: SourceDatabase): Promise<boolean> {
    const found = await database.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", [CAPTURE_SCHEMA]);
    return found.rowCount === 1;
  }

  /** Names of the user triggers on public.<table>, sorted. */
  async function triggersOn(database: SourceDatabase, table: string): Promise<string[]> {
    const found = await database.query(
      `SELECT tgname FROM pg_trigger WHERE tgrelid = to_regclass($1) AND NOT tgisinternal ORDER BY tgname`,
      [`public.${table}`],
    );
    return found.rows.map((row) => row.tgname);
  }

  async function changeRowsOf(database: SourceDatabase, sourceId: string): Promise<number> {
    const found = await database.query(
      `SELECT count(*)::int AS n FROM ${CAPTURE_SCHEMA}.changes WHERE source_id = $1`,
      [sourceId],
    );
    return found.rows[0].n;
  }

  function expectError(response: { status: number; body: any }, status: number, code: string) {
    expect({ status: response.status, code: response.body?.error?.code }).toEqual({ status, code });
    expect(typeof response.body.error.message).toBe("string");
    expect(response.body.error.message.length).toBeGreaterThan(0);
    if (response.body.error.details !== undefined) {
      expect(Array.isArray(response.body.error.details)).toBe(true);
      for (const detail of response.body.error.details) {
        expect(detail).toEqual(
          expect.objectContaining({ path: expect.anything(), message: expect.any(String) }),
        );
      }
    }
  }

  it("creates a source: 201 with every field, no credentials anywhere, and installs schema, change table, function and triggers", async () => {
    const project = await createProject(stack);
    const database = await productDatabase();
    const password = `pw${randomBytes(8).toString("hex")}`;
    const url = new URL(database.url);
    url.password = password;

    const created = await admin("POST", sourcesPath(project.id), {
      name: "Shop database",
      database_url: url.toString(),
      tables: [
        { table: "orders" },
        { schema: "public", table: "customers", events: ["INSERT", "UPDATE"], columns: ["name"] },
      ],
    });
    expect(created.status).toBe(201);
    const sourceId: string = created.body.id;
    const expected = {
      id: expect.stringMatching(SOURCE_ID),
      project_id: project.id,
      name: "Shop database",
      database: `${url.hostname}:${url.port || "5432"}/${database.name}`,
      tables: [
        { schema: "public", table: "orders", events: ["INSERT", "UPDATE", "DELETE"], columns: null },
        { schema: "public", table: "customers", events: ["INSERT", "UPDATE"], columns: ["name"] },
      ],
      enabled: true,
      status: "active",
      last_error: null,
      pending_changes: 0,
      oldest_pending_at: null,
      created_at: expect.stringMatching(ISO_TIME),
      updated_at: expect.stringMatching(ISO_TIME),
    };
    expect(created.body).toEqual(expect.objectContaining(expected));

    const got = await admin("GET", sourcePath(project.id, sourceId));
    expect(got.status).toBe(200);
    expect(got.body).toEqual(
      expect.objectContaining({ ...expected, id: sourceId, created_at: created.body.created_at }),
    );
    const listed = await admin("GET", sourcesPath(project.id));
    expect(listed.status).toBe(200);
    expect(listed.body.next_cursor).toBeNull();
    expect(listed.body.data).toEqual([expect.objectContaining({ ...expected, id: sourceId })]);
    for (const answer of [created.body, got.body, listed.body.data[0]]) {
      expect(answer).not.toHaveProperty("database_url");
      const text = JSON.stringify(answer);
      expect(text).not.toContain(password);
      expect(text).not.toMatch(/postgres(ql)?:\/\//);
    }
    // Stored encrypted, like webhook secrets.
    const stored = await stack.db.source.findUniqueOrThrow({ where: { id: sourceId } });
    expect(JSON.stringify(stored)).not.toContain(password);

    expect(await hasCaptureSchema(database)).toBe(true);
    const columns = await database.query(
      `SELECT column_name, udt_name, column_default FROM information_schema.columns
       WHERE table_schema = $1 AND table_name = 'changes'`,
      [CAPTURE_SCHEMA],
    );
    const types = Object.fromEntries(columns.rows.map((row) => [row.column_name, row.udt_name]));
    expect(types).toEqual(
      expect.objectContaining({
        source_id: "text",
        id: "int8",
        op: "text",
        schema_name: "text",
        table_name: "text",
        row_data: "jsonb",
        old_row: "jsonb",
        changed_at: "timestamptz",
        xid: "xid8",
      }),
    );
    expect(columns.rows.find((row) => row.column_name === "id")?.column_default).toMatch(/^nextval\(/);
    const fn = await database.query(
      `SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
       WHERE n.nspname = $1 AND p.proname = 'record_change_v1'`,
      [CAPTURE_SCHEMA],
    );
    expect(fn.rowCount).toBe(1);
    expect(await triggersOn(database, "orders")).toEqual([`hookrelay_${sourceId}`]);
    expect(await triggersOn(database, "customers")).toEqual([`hookrelay_${sourceId}`]);
    expect(await triggersOn(database, "x")).toEqual([]);
  });

  describe("rejects bad input with 422, recording and installing nothing", () => {
    let project: TestProject;
    let database: SourceDatabase;

    beforeAll(async () => {
      project = await createProject(stack, "bad input");
      database = await productDatabase();
    });

    const cases: Array<{
      name: string;
      body: (database: SourceDatabase) => Record<string, unknown>;
      /** Must appear in the error's message or details. */
      mentions?: RegExp;
    }> = [
      {
        name: "a MySQL URL",
        body: () => ({ database_url: "mysql://root:pw@127.0.0.1:3306/shop", tables: [{ table: "orders" }] }),
      },
      {
        name: "a database_url that is not a URL",
        body: () => ({ database_url: "not a url", tables: [{ table: "orders" }] }),
      },
      {
        name: "an unreachable database",
        body: () => ({ database_url: "postgresql://127.0.0.1:1/x", tables: [{ table: "orders" }] }),
        mentions: /connect/i,
      },
      {
        name: "a table that does not exist (listed after one that does)",
        body: (db) => ({ database_url: db.url, tables: [{ table: "orders" }, { table: "no_such_table" }] }),
        mentions: /no_such_table/,
      },
      {
        name: "a schema that does not exist",
        body: (db) => ({ database_url: db.url, tables: [{ schema: "no_such_schema", table: "orders" }] }),
        mentions: /no_such_schema/,
      },
      {
        name: "a column that does not exist",
        body: (db) => ({
          database_url: db.url,
          tables: [{ table: "orders" }, { table: "customers", columns: ["name", "no_such_column"] }],
        }),
        mentions: /no_such_column/,
      },
      {
        name: 'the identifier orders"; drop table x; --',
        body: (db) => ({
          database_url: db.url,
          tables: [{ table: "orders" }, { table: 'orders"; drop table x; --' }],
        }),
      },
      {
        name: "an unknown event TRUNCATE",
        body: (db) => ({
          database_url: db.url,
          tables: [{ table: "orders" }, { table: "customers", events: ["INSERT", "TRUNCATE"] }],
        }),
      },
      { name: "empty tables", body: (db) => ({ database_url: db.url, tables: [] }) },
      {
        name: "the same table twice",
        body: (db) => ({
          database_url: db.url,
          tables: [{ table: "orders" }, { schema: "public", table: "orders" }],
        }),
      },
    ];

    it.each(cases)("$name", async ({ body, mentions }) => {
      const response = await admin("POST", sourcesPath(project.id), { name: "bad", ...body(database) });
      expectError(response, 422, "validation_error");
      if (mentions) expect(JSON.stringify(response.body.error)).toMatch(mentions);

      const listed = await admin("GET", sourcesPath(project.id));
      expect(listed.status).toBe(200);
      expect(listed.body.data).toEqual([]);
      expect(await stack.db.source.count({ where: { projectId: project.id } })).toBe(0);
      expect(await hasCaptureSchema(database)).toBe(false);
      expect(await triggersOn(database, "orders")).toEqual([]);
      expect(await triggersOn(database, "customers")).toEqual([]);
      const x = await database.query("SELECT to_regclass('public.x') IS NOT NULL AS present");
      expect(x.rows[0].present).toBe(true);
    });
  });

  it("is an admin route: 401 without a key or with a wrong one, 401/403 with a project's key, and nothing changes", async () => {
    const project = await createProject(stack);
    const database = await productDatabase();
    const source = await createSource(project, {
      name: "guarded",
      database_url: database.url,
      tables: [{ table: "orders" }],
    });
    const one = sourcePath(project.id, source.id);
    const calls: Array<[string, string, unknown]> = [
      [
        "POST",
        sourcesPath(project.id),
        { name: "x", database_url: database.url, tables: [{ table: "customers" }] },
      ],
      ["GET", sourcesPath(project.id), undefined],
      ["GET", one, undefined],
      ["PATCH", one, { name: "hijacked" }],
      ["DELETE", one, undefined],
      ["GET", `${one}/install.sql`, undefined],
    ];
    for (const [method, path, body] of calls) {
      const anonymous = await stack.call(method, path, { body });
      expect([method, path, anonymous.status, anonymous.body?.error?.code]).toEqual([
        method,
        path,
        401,
        "unauthorized",
      ]);
      expect([
        method,
        path,
        (await stack.call(method, path, { key: "not-the-admin-key", body })).status,
      ]).toEqual([method, path, 401]);
      const withProjectKey = await stack.call(method, path, { key: project.key, body });
      expect([method, path, [401, 403].includes(withProjectKey.status)]).toEqual([method, path, true]);
    }
    const after = await admin("GET", one);
    expect(after.status).toBe(200);
    expect(after.body.name).toBe("guarded");
    expect((await admin("GET", sourcesPath(project.id))).body.data).toHaveLength(1);
    expect(await triggersOn(database, "orders")).toEqual([`hookrelay_${source.id}`]);
    expect(await triggersOn(database, "customers")).toEqual([]);
  });

  it("a role without trigger privileges: 422 pointing to install.sql; once a DBA runs it, the source goes active and changes flow", async () => {
    const project = await createProject(stack);
    const database = await productDatabase();
    const role = `hookrelay_reader_${randomBytes(4).toString("hex")}`;
    const password = `pw${randomBytes(8).toString("hex")}`;
    roles.push(role);
    await database.query(
      `CREATE ROLE "${role}" LOGIN PASSWORD '${password}';
       GRANT CONNECT ON DATABASE "${database.name}" TO "${role}";
       GRANT USAGE ON SCHEMA public TO "${role}";
       GRANT SELECT ON public.orders TO "${role}"`,
    );
    const url = new URL(database.url);
    url.username = role;
    url.password = password;
    await project.webhook({ url: `${receiver.url}/privilege`, event_types: ["db.public.orders.*"] });

    const refused = await admin("POST", sourcesPath(project.id), {
      name: "read only",
      database_url: url.toString(),
      tables: [{ table: "orders" }],
    });
    expectError(refused, 422, "validation_error");
    // "lacks the privilege": the wording may be PostgreSQL's own ("permission denied").
    expect(refused.body.error.message).toMatch(/privilege|permission/i);
    expect(refused.body.error.message).toMatch(/install\.sql/);
    expect(JSON.stringify(refused.body)).not.toContain(password);
    const pointer = (refused.body.error.details ?? []).find(
      (detail: { path: unknown }) => detail.path === "install_sql",
    );
    expect(pointer?.message).toMatch(
      new RegExp(`^/v1/projects/${project.id}/sources/src_[0-9a-z]{26}/install\\.sql$`),
    );
    const installPath: string = pointer.message;
    const sourceId = installPath.split("/")[5] ?? "";

    // Recorded (so a DBA can install it) but nothing installed.
    const recorded = await admin("GET", sourcePath(project.id, sourceId));
    expect(recorded.status).toBe(200);
    expect(recorded.body).toMatchObject({ id: sourceId, status: "error", enabled: true });
    expect(recorded.body.last_error).toMatch(/^not installed/);
    expect(JSON.stringify(recorded.body)).not.toContain(password);
    expect((await admin("GET", sourcesPath(project.id))).body.data.map((s: { id: string }) => s.id)).toEqual([
      sourceId,
    ]);
    expect(await hasCaptureSchema(database)).toBe(false);
    expect(await triggersOn(database, "orders")).toEqual([]);

    const script = await fetch(stack.apiUrl + installPath, {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toMatch(/^text\/plain/);
    const sql = await script.text();
    expect(sql).toMatch(/\bBEGIN\b/);
    expect(sql).toMatch(/\bCOMMIT\b/);
    expect(sql).toContain("CREATE TRIGGER");
    expect(sql).toContain(sourceId);
    expect(sql).toContain(role);
    expect(sql).not.toContain(password);
    expect((await fetch(stack.apiUrl + installPath)).status).toBe(401);

    // The DBA (the server's superuser) runs it; twice, since it is meant to be idempotent.
    await database.query(sql);
    await database.query(sql);
    expect(await triggersOn(database, "orders")).toEqual([`hookrelay_${sourceId}`]);
    const grants = await database.query(
      `SELECT has_schema_privilege($1, '${CAPTURE_SCHEMA}', 'USAGE') AS usage,
              has_table_privilege($1, '${CAPTURE_SCHEMA}.changes', 'SELECT') AS select,
              has_table_privilege($1, '${CAPTURE_SCHEMA}.changes', 'DELETE') AS delete`,
      [role],
    );
    expect(grants.rows[0]).toEqual({ usage: true, select: true, delete: true });

    const active = await eventually(async () => {
      const current = await admin("GET", sourcePath(project.id, sourceId));
      return current.body.status === "active" ? current.body : undefined;
    }, 12_000).catch(async () => {
      throw new Error(
        `never active: ${JSON.stringify((await admin("GET", sourcePath(project.id, sourceId))).body)}`,
      );
    });
    expect(active.last_error).toBeNull();

    await database.query("INSERT INTO orders (id, status) VALUES (7, 'installed by a DBA')");
    const request = await eventually(
      async () => receiver.requests.find((one) => one.url === "/privilege"),
      15_000,
    );
    const body = JSON.parse(request.body.toString("utf8"));
    expect(body).toMatchObject({
      event_type: "db.public.orders.insert",
      project_id: project.id,
      data: {
        event: "INSERT",
        schema: "public",
        table: "orders",
        row: { id: 7, status: "installed by a DBA" },
      },
    });
    // Captured with the reader role: it could read and delete its change rows.
    await eventually(async () => (await changeRowsOf(database, sourceId)) === 0, 10_000);
  }, 50_000);

  it("renders rows with the writer's rights: a table owner's own cast to json never runs as the installer", async () => {
    // The capture is installed by a superuser (the admin role here, as a DBA running install.sql would);
    // the table's owner is not one. Its cast runs inside to_jsonb: it must run as the owner, or the
    // owner could make itself superuser through the trigger.
    const project = await createProject(stack);
    const database = await createSourceDatabase();
    databases.push(database);
    const owner = `hookrelay_owner_${randomBytes(4).toString("hex")}`;
    roles.push(owner);
    await database.query(`CREATE ROLE "${owner}" LOGIN; CREATE SCHEMA shop AUTHORIZATION "${owner}"`);
    const ownerUrl = new URL(database.url);
    ownerUrl.username = owner;
    const asOwner = new pg.Client({ connectionString: ownerUrl.toString() });
    await asOwner.connect();
    try {
      await asOwner.query(
        `CREATE TYPE shop.mood AS ENUM ('ok');
         CREATE TABLE shop.seen (who text);
         CREATE FUNCTION shop.mood_json(shop.mood) RETURNS json LANGUAGE plpgsql AS $$
           BEGIN INSERT INTO shop.seen VALUES (current_user); RETURN to_json($1::text); END $$;
         CREATE CAST (shop.mood AS json) WITH FUNCTION shop.mood_json(shop.mood);
         CREATE TABLE shop.orders (id int PRIMARY KEY, mood shop.mood)`,
      );
      await project.webhook({ url: `${receiver.url}/cast`, event_types: ["db.shop.orders.*"] });
      await createSource(project, {
        name: "shop",
        database_url: database.url,
        tables: [{ schema: "shop", table: "orders" }],
      });
      await asOwner.query("INSERT INTO shop.orders VALUES (1, 'ok')");
      // Nobody else may append changes, even for a captured table.
      await expect(
        asOwner.query(
          "SELECT hookrelay_capture.append_change_v1('src_x', 'INSERT', 'shop', 'orders', 'shop.orders'::regclass, '{}', NULL)",
        ),
      ).rejects.toThrow(/no capture trigger/);
    } finally {
      await asOwner.end();
    }
    const seen = await database.query("SELECT who FROM shop.seen");
    expect(seen.rows.map((row) => row.who)).toEqual([owner]);
    const delivered = await eventually(
      async () => receiver.requests.find((r) => r.url.endsWith("/cast")),
      10_000,
    );
    expect(JSON.parse(delivered.body.toString()).data.row).toEqual({ id: 1, mood: "ok" });
    const superuser = await database.query("SELECT rolsuper FROM pg_roles WHERE rolname = $1", [owner]);
    expect(superuser.rows[0].rolsuper).toBe(false);
  });

  it("captures a partitioned table under its own name, and reinstalls and uninstalls it", async () => {
    const project = await createProject(stack);
    const database = await productDatabase();
    await database.query(
      `CREATE TABLE events_log (id int, at date NOT NULL) PARTITION BY RANGE (at);
       CREATE TABLE events_log_2026 PARTITION OF events_log FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')`,
    );
    await project.webhook({ url: `${receiver.url}/parted`, event_types: ["db.public.events_log.*"] });
    const source = await createSource(project, {
      name: "log",
      database_url: database.url,
      tables: [{ table: "events_log" }],
    });
    await database.query("INSERT INTO events_log VALUES (1, '2026-06-01')");
    const delivered = await eventually(
      async () => receiver.requests.find((r) => r.url.endsWith("/parted")),
      10_000,
    );
    expect(JSON.parse(delivered.body.toString()).event_type).toBe("db.public.events_log.insert");
    const patched = await admin("PATCH", sourcePath(project.id, source.id), {
      tables: [{ table: "events_log", events: ["INSERT"] }, { table: "orders" }],
    });
    expect(patched.status).toBe(200);
    expect((await admin("DELETE", sourcePath(project.id, source.id))).status).toBe(204);
    expect(await hasCaptureSchema(database)).toBe(false);
    const left = await database.query(
      "SELECT count(*)::int AS n FROM pg_trigger WHERE tgname LIKE 'hookrelay_%'",
    );
    expect(left.rows[0].n).toBe(0);
  });

  it("PATCH renames, reinstalls on a tables change (triggers follow), and enables/disables", async () => {
    const project = await createProject(stack);
    const database = await productDatabase();
    const source = await createSource(project, {
      name: "before",
      database_url: database.url,
      tables: [{ table: "orders" }],
    });
    const path = sourcePath(project.id, source.id);
    const trigger = `hookrelay_${source.id}`;

    const renamed = await admin("PATCH", path, { name: "after" });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ id: source.id, name: "after", enabled: true });
    expect(Date.parse(renamed.body.updated_at)).toBeGreaterThanOrEqual(Date.parse(String(source.updated_at)));
    expect((await admin("GET", path)).body.name).toBe("after");

    const both = await admin("PATCH", path, { tables: [{ table: "orders" }, { table: "customers" }] });
    expect(both.status).toBe(200);
    expect(both.body.tables.map((t: { table: string }) => t.table)).toEqual(["orders", "customers"]);
    expect(await triggersOn(database, "orders")).toEqual([trigger]);
    expect(await triggersOn(database, "customers")).toEqual([trigger]);

    const moved = await admin("PATCH", path, { tables: [{ table: "customers", columns: ["name"] }] });
    expect(moved.status).toBe(200);
    expect(moved.body.tables).toEqual([
      { schema: "public", table: "customers", events: ["INSERT", "UPDATE", "DELETE"], columns: ["name"] },
    ]);
    expect(await triggersOn(database, "orders")).toEqual([]);
    expect(await triggersOn(database, "customers")).toEqual([trigger]);
    expect(await hasCaptureSchema(database)).toBe(true);

    // A bad tables change is refused whole: the installed triggers stay as they were.
    const refused = await admin("PATCH", path, { tables: [{ table: "orders" }, { table: "no_such_table" }] });
    expectError(refused, 422, "validation_error");
    expect(await triggersOn(database, "orders")).toEqual([]);
    expect(await triggersOn(database, "customers")).toEqual([trigger]);
    expect((await admin("GET", path)).body.tables.map((t: { table: string }) => t.table)).toEqual([
      "customers",
    ]);

    const disabled = await admin("PATCH", path, { enabled: false });
    expect(disabled.status).toBe(200);
    expect(disabled.body.enabled).toBe(false);
    expect((await admin("GET", path)).body.enabled).toBe(false);
    // A disabled source keeps recording changes.
    expect(await triggersOn(database, "customers")).toEqual([trigger]);

    const enabled = await admin("PATCH", path, { enabled: true });
    expect(enabled.status).toBe(200);
    expect(enabled.body.enabled).toBe(true);
    expect((await admin("GET", path)).body).toMatchObject({ name: "after", enabled: true });
  });

  it("DELETE drops the source's triggers and change rows; the capture schema goes with the last source; then 404", async () => {
    const project = await createProject(stack);
    const database = await productDatabase();
    const first = await createSource(project, {
      name: "one",
      database_url: database.url,
      tables: [{ table: "orders" }],
    });
    const second = await createSource(project, {
      name: "two",
      database_url: database.url,
      tables: [{ table: "orders" }, { table: "customers" }],
    });
    const listed = await admin("GET", sourcesPath(project.id));
    expect(listed.body.data.map((s: { id: string }) => s.id)).toEqual([second.id, first.id]);
    expect(await triggersOn(database, "orders")).toEqual(
      [`hookrelay_${first.id}`, `hookrelay_${second.id}`].sort(),
    );

    // A disabled source's changes wait in the change table; deleting it removes them.
    expect((await admin("PATCH", sourcePath(project.id, first.id), { enabled: false })).status).toBe(200);
    await sleep(NOTICE_MS);
    await database.query("INSERT INTO orders (id, status) VALUES (1, 'pending for one')");
    expect(await changeRowsOf(database, first.id)).toBe(1);

    const deleted = await admin("DELETE", sourcePath(project.id, first.id));
    expect(deleted.status).toBe(204);
    expect(await triggersOn(database, "orders")).toEqual([`hookrelay_${second.id}`]);
    expect(await triggersOn(database, "customers")).toEqual([`hookrelay_${second.id}`]);
    expect(await hasCaptureSchema(database)).toBe(true);
    expect(await changeRowsOf(database, first.id)).toBe(0);
    expectError(await admin("GET", sourcePath(project.id, first.id)), 404, "not_found");
    expectError(await admin("DELETE", sourcePath(project.id, first.id)), 404, "not_found");
    expectError(await admin("PATCH", sourcePath(project.id, first.id), { name: "ghost" }), 404, "not_found");
    expect((await admin("GET", sourcesPath(project.id))).body.data.map((s: { id: string }) => s.id)).toEqual([
      second.id,
    ]);

    expect((await admin("DELETE", sourcePath(project.id, second.id))).status).toBe(204);
    expect(await hasCaptureSchema(database)).toBe(false);
    expect(await triggersOn(database, "orders")).toEqual([]);
    expect(await triggersOn(database, "customers")).toEqual([]);
    expect((await admin("GET", sourcesPath(project.id))).body.data).toEqual([]);
    expectError(await admin("GET", sourcePath(project.id, second.id)), 404, "not_found");
  });

  it("a source whose database is gone: status error without the password; DELETE 503 keeps it, ?force=true forgets it", async () => {
    const project = await createProject(stack);
    const database = await productDatabase();
    const password = `pw${randomBytes(8).toString("hex")}`;
    const url = new URL(database.url);
    url.password = password;
    const source = await createSource(project, {
      name: "doomed",
      database_url: url.toString(),
      tables: [{ table: "orders" }],
    });
    const path = sourcePath(project.id, source.id);
    await database.drop();

    const failing = await eventually(async () => {
      const current = await admin("GET", path);
      return current.body.status === "error" ? current.body : undefined;
    }, 10_000).catch(async () => {
      throw new Error(`never error: ${JSON.stringify((await admin("GET", path)).body)}`);
    });
    expect(typeof failing.last_error).toBe("string");
    expect(failing.last_error).not.toContain(password);

    const refused = await admin("DELETE", path);
    expectError(refused, 503, "unavailable");
    expect(JSON.stringify(refused.body)).not.toContain(password);
    expect((await admin("GET", path)).status).toBe(200);

    expect((await admin("DELETE", `${path}?force=true`)).status).toBe(204);
    expectError(await admin("GET", path), 404, "not_found");
    expect((await admin("GET", sourcesPath(project.id))).body.data).toEqual([]);
  });

  it("another project's source is 404 for GET, PATCH, DELETE and install.sql, and stays untouched", async () => {
    const mine = await createProject(stack, "mine");
    const other = await createProject(stack, "other");
    const database = await productDatabase();
    const source = await createSource(mine, {
      name: "mine",
      database_url: database.url,
      tables: [{ table: "orders" }],
    });
    const foreign = sourcePath(other.id, source.id);

    expectError(await admin("GET", foreign), 404, "not_found");
    expectError(await admin("PATCH", foreign, { name: "stolen" }), 404, "not_found");
    expectError(await admin("PATCH", foreign, { enabled: false }), 404, "not_found");
    expectError(await admin("DELETE", foreign), 404, "not_found");
    expectError(await admin("DELETE", `${foreign}?force=true`), 404, "not_found");
    expect(
      (
        await fetch(`${stack.apiUrl}${foreign}/install.sql`, {
          headers: { authorization: `Bearer ${ADMIN_KEY}` },
        })
      ).status,
    ).toBe(404);
    expect((await admin("GET", sourcesPath(other.id))).body.data).toEqual([]);
    expectError(await admin("GET", sourcePath(mine.id, "src_01m80000000000000000000000")), 404, "not_found");

    const still = await admin("GET", sourcePath(mine.id, source.id));
    expect(still.status).toBe(200);
    expect(still.body).toMatchObject({ name: "mine", enabled: true, project_id: mine.id });
    expect(await triggersOn(database, "orders")).toEqual([`hookrelay_${source.id}`]);
  });
});
