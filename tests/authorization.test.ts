import { openApiPath, v1Routes } from "@hookrelay/api";
import { createProject, type TestProject } from "./support/fixtures.js";
import { ADMIN_KEY, type Stack, startStack } from "./support/stack.js";

// Generated from the route declarations the router itself is built from: no route can be left out.
describe("authorization on every route", () => {
  let stack: Stack;
  let mine: TestProject;
  let other: TestProject;
  let revokedKey: string;

  /** A second key of `mine`, shown to work, and a way to revoke it. */
  async function extraKey(): Promise<{ key: string; revoke: () => Promise<void> }> {
    const created = await stack.call("POST", `/v1/projects/${mine.id}/api-keys`, { key: ADMIN_KEY });
    expect(created.status).toBe(201);
    expect(created.body.api_key).toMatch(/^hr_\S{20,}$/);
    expect(created.body.api_key).not.toBe(mine.key);
    const key: string = created.body.api_key;
    return {
      key,
      async revoke() {
        const revoked = await stack.call("DELETE", `/v1/projects/${mine.id}/api-keys/${created.body.id}`, {
          key: ADMIN_KEY,
        });
        expect(revoked.status).toBe(204);
      },
    };
  }

  beforeAll(async () => {
    stack = await startStack({}, { dispatcher: false });
    mine = await createProject(stack, "mine");
    other = await createProject(stack, "other");
    // The revoked key worked before it was revoked: its 401s below come from the revocation.
    const extra = await extraKey();
    revokedKey = extra.key;
    expect((await stack.call("GET", mine.path("/webhooks"), { key: revokedKey })).status).toBe(200);
    await extra.revoke();
    expect((await stack.call("GET", mine.path("/webhooks"), { key: revokedKey })).status).toBe(401);
  });

  afterAll(() => stack?.stop());

  const concrete = (path: string) =>
    `/v1${path
      .replace(":projectId", mine.id)
      .replace(":webhookId", "wh_00000000000000000000000000")
      .replace(":deliveryId", "dlv_00000000000000000000000000")
      .replace(":keyId", "key_00000000000000000000000000")
      .replace(":eventId", "evt_00000000000000000000000000")}`;

  /**
   * Calls the route (path ids filled in, an empty JSON body unless GET) with `key`, or with no
   * Authorization header at all when `key` is the NO_KEY marker; answers the status. An empty or missing
   * key by mistake would silently test "no key" instead: refused.
   */
  const NO_KEY = Symbol("no key");
  const statusWith = (route: (typeof v1Routes)[number]) => (key: string | typeof NO_KEY) => {
    if (key !== NO_KEY && !key) throw new Error(`a test key is empty for ${route.method} ${route.path}`);
    return stack
      .call(route.method.toUpperCase(), concrete(route.path), {
        key: key === NO_KEY ? undefined : key,
        body: route.method === "get" ? undefined : {},
      })
      .then((r) => r.status);
  };

  it("declares routes for every resource", () => {
    expect(v1Routes.length).toBeGreaterThanOrEqual(15);
  });

  for (const route of v1Routes) {
    const name = `${route.method.toUpperCase()} ${route.path}`;
    if (route.auth === "project") {
      it(`${name}: 401 without a key, with a bad key, with a revoked key; 403 with another project's key`, async () => {
        const call = statusWith(route);
        expect(await call(NO_KEY)).toBe(401);
        expect(await call("hr_definitely-not-a-key")).toBe(401);
        expect(await call(revokedKey)).toBe(401);
        expect(await call(other.key)).toBe(403);
        expect(await call(ADMIN_KEY)).toBe(401);
        // On this very route: a key gets past authorization until it is revoked, then it does not.
        const extra = await extraKey();
        expect([401, 403]).not.toContain(await call(extra.key));
        await extra.revoke();
        expect(await call(extra.key)).toBe(401);
      });
    } else {
      it(`${name}: 401 without a key, with a bad key, with a project's key`, async () => {
        const call = statusWith(route);
        expect(await call(NO_KEY)).toBe(401);
        expect(await call("not-the-admin-key-at-all")).toBe(401);
        expect([401, 403]).not.toContain(await call(ADMIN_KEY));
        expect(await call(mine.key)).toBe(401);
        expect(await call(revokedKey)).toBe(401);
      });
    }
  }

  it("serves an OpenAPI 3.1 document listing every route", async () => {
    const response = await stack.call("GET", "/openapi.json");
    expect(response.status).toBe(200);
    expect(response.body.openapi).toBe("3.1.0");
    for (const route of v1Routes) {
      const operation = response.body.paths[openApiPath(route.path)]?.[route.method];
      expect({ route: `${route.method} ${route.path}`, present: Boolean(operation) }).toEqual({
        route: `${route.method} ${route.path}`,
        present: true,
      });
    }
    const create = response.body.paths["/v1/project/{projectId}/webhooks"].post;
    expect(create.requestBody.content["application/json"].schema.required).toEqual(["url", "event_types"]);
    const operationIds = Object.values(response.body.paths).flatMap((item: any) =>
      Object.values(item).map((op: any) => op.operationId),
    );
    expect(new Set(operationIds).size).toBe(operationIds.length);
  });
});
