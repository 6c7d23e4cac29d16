import { ADMIN_KEY, type Stack, startStack } from "./support/stack.js";

// Validation, authentication and the SPEC's error shape, against the real api and PostgreSQL.
describe("api contract", () => {
  let stack: Stack;
  let project: { id: string; api_key: string };
  let other: { id: string; api_key: string };

  beforeAll(async () => {
    stack = await startStack({ MAX_WEBHOOKS_PER_PROJECT: "3" }, { dispatcher: false });
    project = (await stack.call("POST", "/v1/projects", { key: ADMIN_KEY, body: { name: "One" } })).body;
    other = (await stack.call("POST", "/v1/projects", { key: ADMIN_KEY, body: { name: "Two" } })).body;
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const webhooksPath = () => `/v1/project/${project.id}/webhooks`;
  const validWebhook = { url: "https://example.com/hooks", event_types: ["order.*"] };

  function expectError(response: { status: number; body: any }, status: number, code: string) {
    expect(response.status).toBe(status);
    expect(response.body).toEqual({ error: expect.objectContaining({ code, message: expect.any(String) }) });
    expect(JSON.stringify(response.body)).not.toMatch(/at .*\.(ts|js):\d+/);
  }

  describe("projects (admin)", () => {
    it("creates a project and shows its api key once", async () => {
      const created = await stack.call("POST", "/v1/projects", { key: ADMIN_KEY, body: { name: "Three" } });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        id: expect.stringMatching(/^proj_/),
        name: "Three",
        api_key: expect.stringMatching(/^hr_/),
        created_at: expect.any(String),
      });
      const fetched = await stack.call("GET", `/v1/projects/${created.body.id}`, { key: ADMIN_KEY });
      expect(fetched.body).toEqual({
        id: created.body.id,
        name: "Three",
        created_at: created.body.created_at,
      });
      const keys = await stack.db.apiKey.findMany({ where: { projectId: created.body.id } });
      expect(keys[0]?.keyHash).not.toContain(created.body.api_key);
      expect(created.body.api_key.startsWith(keys[0]?.prefix ?? "x")).toBe(true);
    });

    it("lists projects newest first with a cursor", async () => {
      const first = await stack.call("GET", "/v1/projects?limit=2", { key: ADMIN_KEY });
      expect(first.body.data).toHaveLength(2);
      expect(first.body.next_cursor).toEqual(expect.any(String));
      const second = await stack.call("GET", `/v1/projects?limit=2&cursor=${first.body.next_cursor}`, {
        key: ADMIN_KEY,
      });
      const ids = [...first.body.data, ...second.body.data].map((p: { id: string }) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toEqual([...ids].sort().reverse());
    });

    it("refuses a missing or wrong admin key with 401", async () => {
      expectError(await stack.call("POST", "/v1/projects", { body: { name: "x" } }), 401, "unauthorized");
      expectError(await stack.call("GET", "/v1/projects", { key: project.api_key }), 401, "unauthorized");
    });

    it("rejects a bad project body with 422", async () => {
      const response = await stack.call("POST", "/v1/projects", { key: ADMIN_KEY, body: { name: "" } });
      expectError(response, 422, "validation_error");
      expect(response.body.error.details[0].path).toBe("name");
    });
  });

  describe("project keys", () => {
    it("answers 401 without a key or with an unknown key", async () => {
      expectError(await stack.call("GET", webhooksPath()), 401, "unauthorized");
      expectError(await stack.call("GET", webhooksPath(), { key: "hr_not-a-real-key" }), 401, "unauthorized");
    });

    it("answers 403 for another project's id", async () => {
      expectError(await stack.call("GET", webhooksPath(), { key: other.api_key }), 403, "forbidden");
      const event = await stack.call("POST", `/v1/project/${project.id}/events`, {
        key: other.api_key,
        body: { event_type: "a.b", data: {} },
      });
      expectError(event, 403, "forbidden");
    });

    it("stops accepting a revoked key at once", async () => {
      const key = await stack.call("POST", `/v1/projects/${project.id}/api-keys`, { key: ADMIN_KEY });
      expect(key.status).toBe(201);
      expect((await stack.call("GET", webhooksPath(), { key: key.body.api_key })).status).toBe(200);
      const revoked = await stack.call("DELETE", `/v1/projects/${project.id}/api-keys/${key.body.id}`, {
        key: ADMIN_KEY,
      });
      expect(revoked.status).toBe(204);
      expectError(await stack.call("GET", webhooksPath(), { key: key.body.api_key }), 401, "unauthorized");
    });
  });

  describe("validation", () => {
    it.each([
      ["a missing url", { event_types: ["a"] }, "url"],
      ["a relative url", { ...validWebhook, url: "/hooks" }, "url"],
      ["an ftp url", { ...validWebhook, url: "ftp://example.com/x" }, "url"],
      ["credentials in the url", { ...validWebhook, url: "https://user:pw@example.com/x" }, "url"],
      ["no event types", { ...validWebhook, event_types: [] }, "event_types"],
      ["a malformed event type", { ...validWebhook, event_types: ["order..paid"] }, "event_types.0"],
      [
        "a reserved header",
        { ...validWebhook, headers: { "Content-Type": "text/plain" } },
        "headers.Content-Type",
      ],
      ["a webhook-* header", { ...validWebhook, headers: { "webhook-id": "x" } }, "headers.webhook-id"],
      [
        "an X-Webhook-* header",
        { ...validWebhook, headers: { "X-Webhook-Signature": "x" } },
        "headers.X-Webhook-Signature",
      ],
      ["a header value with a newline", { ...validWebhook, headers: { "X-A": "a\r\nb" } }, "headers.X-A"],
      ["a zero rate limit", { ...validWebhook, rate_limit_per_second: 0 }, "rate_limit_per_second"],
      ["an unknown field", { ...validWebhook, colour: "red" }, ""],
    ])("refuses a webhook with %s (422)", async (_name, body, path) => {
      const response = await stack.call("POST", webhooksPath(), { key: project.api_key, body });
      expectError(response, 422, "validation_error");
      expect(response.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    });

    it.each([
      ["no event_type", { data: {} }],
      ["a non-object data", { event_type: "a.b", data: [1, 2] }],
      ["a bad event type", { event_type: "a b", data: {} }],
    ])("refuses an event with %s (422)", async (_name, body) => {
      const response = await stack.call("POST", `/v1/project/${project.id}/events`, {
        key: project.api_key,
        body,
      });
      expectError(response, 422, "validation_error");
    });

    it("answers 400 for a body that is not JSON", async () => {
      const response = await stack.call("POST", `/v1/project/${project.id}/events`, {
        key: project.api_key,
        body: "{not json",
      });
      expectError(response, 400, "validation_error");
    });

    it("answers 413 for an event larger than MAX_PAYLOAD_BYTES", async () => {
      const response = await stack.call("POST", `/v1/project/${project.id}/events`, {
        key: project.api_key,
        body: { event_type: "a.b", data: { blob: "x".repeat(300_000) } },
      });
      expectError(response, 413, "payload_too_large");
      expect(await stack.db.event.count({ where: { projectId: project.id } })).toBe(0);
    });

    it("answers 404 in the SPEC shape for unknown routes and ids", async () => {
      expectError(await stack.call("GET", "/v1/nothing-here"), 404, "not_found");
      expectError(
        await stack.call("GET", `${webhooksPath()}/wh_missing`, { key: project.api_key }),
        404,
        "not_found",
      );
    });
  });

  describe("webhooks", () => {
    it("creates, reads, updates and deletes a webhook; the secret shows only on create", async () => {
      const created = await stack.call("POST", webhooksPath(), {
        key: project.api_key,
        body: { ...validWebhook, name: "orders", headers: { "X-Api-Token": "hunter2", "X-Tenant": "one" } },
      });
      expect(created.status).toBe(201);
      expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      expect(created.body).toMatchObject({
        id: expect.stringMatching(/^wh_/),
        enabled: true,
        fail_count: 0,
        disabled_reason: null,
      });
      const stored = await stack.db.webhook.findUniqueOrThrow({ where: { id: created.body.id } });
      expect(stored.secretCiphertext).not.toContain(created.body.secret.slice(6));

      const read = await stack.call("GET", `${webhooksPath()}/${created.body.id}`, { key: project.api_key });
      expect(read.body.secret).toBeUndefined();
      expect(read.body.headers).toEqual({ "X-Api-Token": "********", "X-Tenant": "one" });
      const listed = await stack.call("GET", webhooksPath(), { key: project.api_key });
      expect(JSON.stringify(listed.body)).not.toContain(created.body.secret);

      const disabled = await stack.call("PATCH", `${webhooksPath()}/${created.body.id}`, {
        key: project.api_key,
        body: { enabled: false, event_types: ["order.paid"] },
      });
      expect(disabled.body).toMatchObject({
        enabled: false,
        disabled_reason: "manual",
        event_types: ["order.paid"],
      });
      const enabled = await stack.call("PATCH", `${webhooksPath()}/${created.body.id}`, {
        key: project.api_key,
        body: { enabled: true },
      });
      expect(enabled.body).toMatchObject({ enabled: true, disabled_reason: null });
      expectError(
        await stack.call("PATCH", `${webhooksPath()}/${created.body.id}`, { key: project.api_key, body: {} }),
        422,
        "validation_error",
      );

      const deleted = await stack.call("DELETE", `${webhooksPath()}/${created.body.id}`, {
        key: project.api_key,
      });
      expect(deleted.status).toBe(204);
      expectError(
        await stack.call("GET", `${webhooksPath()}/${created.body.id}`, { key: project.api_key }),
        404,
        "not_found",
      );
    });

    it("refuses a webhook past MAX_WEBHOOKS_PER_PROJECT with 409 limit_exceeded", async () => {
      const results = await Promise.all(
        Array.from({ length: 5 }, () =>
          stack.call("POST", `/v1/project/${other.id}/webhooks`, { key: other.api_key, body: validWebhook }),
        ),
      );
      expect(results.filter((r) => r.status === 201)).toHaveLength(3);
      for (const refused of results.filter((r) => r.status !== 201))
        expectError(refused, 409, "limit_exceeded");
    });
  });

  it("answers /healthz and /readyz", async () => {
    expect((await stack.call("GET", "/healthz")).body).toEqual({ status: "ok" });
    const ready = await stack.call("GET", "/readyz");
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: "ready", checks: { postgres: "ok", redis: "ok" } });
  });
});
