import { type Route, v1Routes } from "@hookrelay/api";
import { createProject, type TestProject } from "./support/fixtures.js";
import { TestReceiver } from "./support/receiver.js";
import { createSourceDatabase, type SourceDatabase } from "./support/source-database.js";
import { ADMIN_KEY, type Stack, startStack } from "./support/stack.js";

// Another project's resource, by id, on every route that takes one — generated from the route declarations
// the router is built from, like the authorization test. Project A's key (or the admin key) and A's project
// id in the path, B's webhook, delivery, event, API key or source id beside it: 404, the SPEC's error shape,
// and nothing changed in PostgreSQL, the source database, the queue or at the receiver. The same call with
// A's own ids succeeds (so the 404 is about whose resource it is, not about the request).

/** The path parameters naming a resource of a project, which this test knows how to make. */
const RESOURCE_PARAMS = ["webhookId", "deliveryId", "eventId", "keyId", "sourceId", "recoveryId"] as const;
type ResourceParam = (typeof RESOURCE_PARAMS)[number];
type Ids = Record<ResourceParam, string>;

/**
 * Routes with a resource id that this test does not call, each with the reason. A route with an id parameter
 * that is neither covered nor listed here fails the first test.
 */
const NOT_COVERED: Record<string, string> = {};

/** A body the route accepts (so that it is the id, not the body, that decides), by `METHOD path`. */
const BODIES: Record<string, unknown> = {
  "PATCH /project/:projectId/webhooks/:webhookId": { name: "renamed", headers: { "X-Changed": "yes" } },
  "POST /project/:projectId/webhooks/:webhookId/recover": { since: "2000-01-01T00:00:00Z" },
  "PATCH /projects/:projectId/sources/:sourceId": { name: "renamed", enabled: false },
};

const TABLES = [
  "projects",
  "api_keys",
  "webhooks",
  "events",
  "deliveries",
  "attempts",
  "sources",
  "recoveries",
  "operational_events",
];

const routeName = (route: Route) => `${route.method.toUpperCase()} ${route.path}`;
const paramsOf = (route: Route) => [...route.path.matchAll(/:(\w+)/g)].map((match) => match[1] ?? "");
const resourceParamsOf = (route: Route) => paramsOf(route).filter((name) => name !== "projectId");
const isResourceParam = (name: string): name is ResourceParam =>
  (RESOURCE_PARAMS as readonly string[]).includes(name);

/** Every non-empty subset of `names`: which of the ids come from the other project. */
function subsets<T>(names: T[]): T[][] {
  const all: T[][] = [[]];
  for (const name of names) for (const subset of [...all]) all.push([...subset, name]);
  return all.filter((subset) => subset.length > 0);
}

const withIds = v1Routes.filter((route) => resourceParamsOf(route).length > 0);
const covered = withIds.filter(
  (route) => !(routeName(route) in NOT_COVERED) && resourceParamsOf(route).every(isResourceParam),
);

describe("another project's resources, by id, on every route", () => {
  let stack: Stack;
  let receiver: TestReceiver;
  let sourceDatabase: SourceDatabase;
  let a: TestProject;
  let b: TestProject;
  let bIds: Ids;

  beforeAll(async () => {
    stack = await startStack({}, { dispatcher: false });
    receiver = await TestReceiver.start();
    sourceDatabase = await createSourceDatabase();
    await sourceDatabase.query("CREATE TABLE orders (id bigint PRIMARY KEY, status text NOT NULL)");
    a = await createProject(stack, "A");
    b = await createProject(stack, "B");
    bIds = await resourcesOf(b, RESOURCE_PARAMS);
  }, 30_000);

  afterAll(async () => {
    await stack?.stop();
    await receiver?.close();
    await sourceDatabase?.drop();
  }, 30_000);

  /** A webhook, an event with its delivery to it, an extra API key and a source of `project`, as needed. */
  async function resourcesOf(project: TestProject, needed: readonly string[]): Promise<Ids> {
    const ids = {} as Ids;
    if (needed.some((name) => ["webhookId", "deliveryId", "eventId", "recoveryId"].includes(name))) {
      const webhook = await project.webhook({ url: `${receiver.url}/${project.id}`, event_types: ["*"] });
      const event = await project.event("order.paid", { project: project.id });
      const delivery = await stack.db.delivery.findFirstOrThrow({
        where: { eventId: event.event_id, webhookId: webhook.id },
      });
      Object.assign(ids, { webhookId: webhook.id, eventId: event.event_id, deliveryId: delivery.id });
    }
    if (needed.includes("recoveryId")) {
      const recovery = await stack.call("POST", `${project.path(`/webhooks/${ids.webhookId}`)}/recover`, {
        key: project.key,
        body: { since: "2000-01-01T00:00:00Z" },
      });
      expect(recovery.status).toBe(202);
      ids.recoveryId = recovery.body.recovery.id;
    }
    if (needed.includes("keyId")) {
      const key = await stack.call("POST", `/v1/projects/${project.id}/api-keys`, { key: ADMIN_KEY });
      expect(key.status).toBe(201);
      ids.keyId = key.body.id;
    }
    if (needed.includes("sourceId")) {
      const source = await stack.call("POST", `/v1/projects/${project.id}/sources`, {
        key: ADMIN_KEY,
        body: {
          name: `orders of ${project.id}`,
          database_url: sourceDatabase.url,
          tables: [{ table: "orders" }],
        },
      });
      expect({ status: source.status, body: source.body }).toEqual({ status: 201, body: expect.anything() });
      ids.sourceId = source.body.id;
    }
    return ids;
  }

  /** Everything a call could change: every row of hookrelay's tables, the source's triggers, queue, receiver. */
  async function state(): Promise<string> {
    const rows: Record<string, unknown> = {};
    for (const table of TABLES)
      rows[table] = await stack.db.$queryRawUnsafe(`SELECT * FROM ${table} ORDER BY id`);
    const triggers = await sourceDatabase.query(
      "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY tgname",
    );
    return JSON.stringify(
      {
        rows,
        triggers: triggers.rows.map((row) => row.tgname),
        jobs: await stack.queue.count(),
        received: receiver.requests.length,
      },
      (_key, value) => (typeof value === "bigint" ? value.toString() : value),
    );
  }

  /** The route with these path ids, A's key (or the admin key); the body parsed when it is JSON. */
  async function call(
    route: Route,
    ids: Record<string, string>,
    key = route.auth === "admin" ? ADMIN_KEY : a.key,
  ) {
    const path = `/v1${route.path.replace(/:(\w+)/g, (_, name: string) => ids[name] ?? `missing-${name}`)}`;
    const body = BODIES[routeName(route)];
    const response = await fetch(stack.apiUrl + path, {
      method: route.method.toUpperCase(),
      headers: {
        authorization: `Bearer ${key}`,
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const json = response.headers.get("content-type")?.startsWith("application/json");
    return { status: response.status, body: json ? JSON.parse(text) : text || null };
  }

  it("covers every route with a resource id in its path, or lists why not", () => {
    expect(withIds.length).toBeGreaterThanOrEqual(15);
    const uncovered = withIds
      .filter((route) => !covered.includes(route) && !(routeName(route) in NOT_COVERED))
      .map(
        (route) =>
          `${routeName(route)}: no fixture for :${resourceParamsOf(route).find((p) => !isResourceParam(p))}`,
      );
    expect(uncovered).toEqual([]);
    // No stale entries: each exception names a declared route.
    for (const name of Object.keys(NOT_COVERED)) expect(withIds.map(routeName)).toContain(name);
    // Every route with a body schema has a body here that it accepts.
    const withoutBody = covered.filter((route) => route.body && !(routeName(route) in BODIES)).map(routeName);
    expect(withoutBody).toEqual([]);
  });

  for (const route of covered) {
    const params = resourceParamsOf(route) as ResourceParam[];
    it(`${routeName(route)}: 404 with another project's ${params.join(" / ")}, nothing changed`, async () => {
      const own = await resourcesOf(a, params);
      for (const fromB of subsets(params)) {
        const ids = {
          projectId: a.id,
          ...own,
          ...Object.fromEntries(fromB.map((name) => [name, bIds[name]])),
        };
        const before = await state();
        const answer = await call(route, ids);
        expect({ fromB, status: answer.status, body: answer.body }).toEqual({
          fromB,
          status: 404,
          body: { error: { code: "not_found", message: expect.any(String) } },
        });
        expect(await state()).toBe(before);
      }
      // B's resources still answer to B.
      if (route.method === "get") {
        const asB = await call(
          route,
          { projectId: b.id, ...bIds },
          route.auth === "admin" ? ADMIN_KEY : b.key,
        );
        expect(asB.status).toBe(200);
      }
      // The same call with A's own ids gets past the lookup.
      const positive = await call(route, { projectId: a.id, ...own });
      expect({ status: positive.status, body: positive.body }).toEqual({
        status: route.status,
        body: route.status === 204 ? null : expect.anything(),
      });
    });
  }
});
