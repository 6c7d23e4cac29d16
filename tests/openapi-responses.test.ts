import { v1Routes } from "@hookrelay/api";
import { createHookrelayClient, type HookrelayClient, HookrelayError } from "@hookrelay/client";
import {
  type OpenApiDocument,
  type ResponseValidator,
  responseValidator,
} from "./support/openapi-validator.js";
import { eventually, TestReceiver } from "./support/receiver.js";
import { createSourceDatabase, type SourceDatabase } from "./support/source-database.js";
import { ADMIN_KEY, type Stack, startStack } from "./support/stack.js";

// Walks every /v1 route through @hookrelay/client (what a user would run) with a fetch that validates each
// real answer — successes and errors — against the served /openapi.json with ajv (JSON Schema 2020-12).
// Every operation must have answered its success status and at least one error, each as documented.
describe("/openapi.json tells the truth about every answer", () => {
  let stack: Stack;
  let receiver: TestReceiver;
  let sourceDb: SourceDatabase;
  let validator: ResponseValidator;
  let admin: HookrelayClient;
  let client: HookrelayClient;
  let projectId: string;
  let otherProjectId: string;

  const clientWith = (apiKey: string) =>
    createHookrelayClient({ baseUrl: stack.apiUrl, apiKey, fetch: validator.fetch });

  /** A raw call through the validating fetch, for requests the typed client will not make. */
  const send = (method: string, path: string, init: { key?: string; body?: string; headers?: object } = {}) =>
    validator.fetch(`${stack.apiUrl}${path}`, {
      method,
      headers: {
        ...(init.key && { authorization: `Bearer ${init.key}` }),
        ...(init.body !== undefined && { "content-type": "application/json" }),
        ...init.headers,
      },
      body: init.body,
    });

  /** The HookrelayError a call fails with (the test fails if it succeeds). */
  const refusal = async (call: Promise<unknown>): Promise<HookrelayError> => {
    const outcome = await call.then(
      () => new Error("expected a refusal"),
      (error: unknown) => error,
    );
    if (!(outcome instanceof HookrelayError)) throw outcome;
    return outcome;
  };

  beforeAll(async () => {
    stack = await startStack({ RETRY_SCHEDULE: "1s", MAX_WEBHOOKS_PER_PROJECT: "3" });
    receiver = await TestReceiver.start();
    sourceDb = await createSourceDatabase();
    await sourceDb.query("CREATE TABLE orders (id bigint PRIMARY KEY, status text NOT NULL)");
    const served = await fetch(`${stack.apiUrl}/openapi.json`);
    validator = responseValidator((await served.json()) as OpenApiDocument);
    admin = clientWith(ADMIN_KEY);
    const project = await admin.projects.create({ name: "openapi" });
    projectId = project.id;
    client = clientWith(project.api_key);
    otherProjectId = (await admin.projects.create({ name: "other" })).id;
  });

  afterAll(async () => {
    await stack?.stop();
    await receiver?.close();
    await sourceDb?.drop();
  }, 60_000);

  it("projects and API keys", async () => {
    expect((await admin.projects.get(projectId)).name).toBe("openapi");
    const listed = await admin.projects.list({ limit: 1 }).all();
    expect(listed.map((project) => project.id)).toEqual(expect.arrayContaining([projectId, otherProjectId]));
    const key = await admin.projects.createApiKey(projectId);
    expect(key.api_key).toMatch(/^hr_/);
    await admin.projects.revokeApiKey(projectId, key.id);
    expect((await refusal(clientWith(key.api_key).webhooks.list(projectId).firstPage())).status).toBe(401);

    expect((await refusal(admin.projects.create({ name: "" }))).code).toBe("validation_error");
    expect((await refusal(admin.projects.get("proj_00000000000000000000000000"))).status).toBe(404);
    expect((await refusal(client.projects.list().firstPage())).status).toBe(401);
    expect((await refusal(admin.projects.createApiKey("proj_00000000000000000000000000"))).status).toBe(404);
    expect((await refusal(admin.projects.revokeApiKey(projectId, key.id))).status).toBe(404);
  });

  it("database change sources", async () => {
    const source = await admin.sources.create(projectId, {
      name: "shop",
      database_url: sourceDb.url,
      tables: [{ table: "orders" }],
    });
    expect(source.database).not.toContain("postgres://");
    expect((await admin.sources.get(projectId, source.id)).tables[0]?.table).toBe("orders");
    expect((await admin.sources.list(projectId).all()).map((one) => one.id)).toEqual([source.id]);
    expect((await admin.sources.update(projectId, source.id, { enabled: false })).enabled).toBe(false);
    expect(await admin.sources.installSql(projectId, source.id)).toContain("CREATE");
    await admin.sources.delete(projectId, source.id);

    const refused = await refusal(
      admin.sources.create(projectId, {
        name: "x",
        database_url: sourceDb.url,
        tables: [{ table: "nope!" }],
      }),
    );
    expect(refused.details.map((detail) => detail.path)).toContain("tables.0.table");
    expect((await refusal(admin.sources.get(projectId, source.id))).code).toBe("not_found");
    expect((await refusal(clientWith("hr_not_a_key").sources.list(projectId).firstPage())).status).toBe(401);
    expect((await refusal(admin.sources.update(projectId, source.id, {}))).status).toBe(422);
    expect((await refusal(admin.sources.installSql(projectId, source.id))).status).toBe(404);
    expect((await refusal(admin.sources.delete(projectId, source.id))).status).toBe(404);
  });

  it("webhooks, events, deliveries and attempts", async () => {
    receiver.reply = (_request, index) =>
      index === 0 ? { status: 500, body: "first fails" } : { status: 200 };
    const webhook = await client.webhooks.create(projectId, {
      url: `${receiver.url}/hook`,
      event_types: ["order.*"],
      headers: { "X-Api-Token": "t0ken" },
    });
    expect(webhook.secret).toMatch(/^whsec_/);
    expect(webhook.headers["X-Api-Token"]).toBe("********");
    expect((await client.webhooks.get(projectId, webhook.id)).url).toBe(`${receiver.url}/hook`);
    expect((await client.webhooks.list(projectId).all()).map((one) => one.id)).toEqual([webhook.id]);
    expect((await client.webhooks.update(projectId, webhook.id, { name: "orders" })).name).toBe("orders");
    expect((await client.webhooks.rotateSecret(projectId, webhook.id)).secret).not.toBe(webhook.secret);

    const accepted = await client.events.send(
      projectId,
      { event_type: "order.paid", data: { id: 7 } },
      { idempotencyKey: "order-7-paid" },
    );
    expect(accepted.deliveries).toBe(1);
    const repeat = await client.events.send(
      projectId,
      { event_type: "order.paid", data: { id: 7 } },
      { idempotencyKey: "order-7-paid" },
    );
    expect(repeat.event_id).toBe(accepted.event_id);
    expect((await client.events.list(projectId, { event_type: "order.paid" }).all()).length).toBe(1);
    const event = await client.events.get(projectId, accepted.event_id);
    expect(event.data).toEqual({ id: 7 });

    const delivery = await eventually(async () => {
      const [first] = await client.deliveries.list(projectId, webhook.id).all();
      return first?.status === "succeeded" ? first : undefined;
    });
    expect(delivery.attempt_count).toBe(2);
    const attempts = await client.deliveries.attempts(projectId, webhook.id, delivery.id, { limit: 1 }).all();
    expect(attempts.map((attempt) => attempt.status_code)).toEqual([500, 200]);
    expect((await client.deliveries.get(projectId, webhook.id, delivery.id)).payload).toContain("order.paid");
    const replay = await client.deliveries.replay(projectId, webhook.id, delivery.id);
    expect(replay.delivery_id).not.toBe(delivery.id);
    const recovered = await client.webhooks.recover(projectId, webhook.id, {
      since: new Date(Date.now() - 60_000).toISOString(),
    });
    expect(recovered.count).toBe(0);
    expect(recovered.recovery.include_missed).toBe(false);
    const progress = await client.webhooks.recovery(projectId, webhook.id, recovered.recovery.id);
    expect(progress.total).toBe(0);
    expect((await client.webhooks.recoveries(projectId, webhook.id).all()).map((one) => one.id)).toEqual([
      recovered.recovery.id,
    ]);
    const unknownRecovery = "rcv_00000000000000000000000000";
    expect((await refusal(client.webhooks.recovery(projectId, webhook.id, unknownRecovery))).status).toBe(
      404,
    );
    expect(
      (await refusal(clientWith("hr_nope").webhooks.recoveries(projectId, webhook.id).firstPage())).status,
    ).toBe(401);
    const test = await client.webhooks.test(projectId, webhook.id);
    expect(test.success).toBe(true);

    // Errors of each kind, each validated against its documented shape.
    const other = clientWith(ADMIN_KEY);
    expect((await refusal(other.webhooks.get(projectId, webhook.id))).status).toBe(401);
    expect((await refusal(client.webhooks.list(otherProjectId).firstPage())).status).toBe(403);
    const bad = await refusal(client.webhooks.create(projectId, { url: "not a url", event_types: [] }));
    expect(bad.details.length).toBeGreaterThan(0);
    expect((await refusal(client.events.get(projectId, "evt_00000000000000000000000000"))).status).toBe(404);
    expect((await refusal(client.events.list(projectId, { since: "yesterday" }).firstPage())).status).toBe(
      422,
    );
    expect((await refusal(client.events.send(projectId, { event_type: "", data: {} }))).status).toBe(422);
    const unknownDelivery = "dlv_00000000000000000000000000";
    expect((await refusal(client.deliveries.get(projectId, webhook.id, unknownDelivery))).status).toBe(404);
    expect(
      (await refusal(client.deliveries.attempts(projectId, webhook.id, unknownDelivery).firstPage())).status,
    ).toBe(404);
    expect(
      (await refusal(client.deliveries.list(projectId, webhook.id, { status: "lost" as never }).firstPage()))
        .status,
    ).toBe(422);
    expect(
      (await refusal(client.webhooks.rotateSecret(projectId, "wh_00000000000000000000000000"))).status,
    ).toBe(404);
    expect((await refusal(client.webhooks.test(projectId, "wh_00000000000000000000000000"))).status).toBe(
      404,
    );
    expect(
      (await refusal(client.webhooks.update(projectId, webhook.id, { secret: "x" } as never))).status,
    ).toBe(422);
    expect((await refusal(client.webhooks.recover(projectId, webhook.id, { since: "soon" }))).status).toBe(
      422,
    );

    // 409: the project's limit, and replays of a disabled webhook.
    await client.webhooks.create(projectId, { url: `${receiver.url}/2`, event_types: ["x"] });
    await client.webhooks.create(projectId, { url: `${receiver.url}/3`, event_types: ["x"] });
    const full = await refusal(
      client.webhooks.create(projectId, { url: `${receiver.url}/4`, event_types: ["x"] }),
    );
    expect([full.status, full.code]).toEqual([409, "limit_exceeded"]);
    await client.webhooks.update(projectId, webhook.id, { enabled: false });
    expect((await refusal(client.deliveries.replay(projectId, webhook.id, delivery.id))).status).toBe(409);
    const since = new Date(Date.now() - 60_000).toISOString();
    expect((await refusal(client.webhooks.recover(projectId, webhook.id, { since }))).status).toBe(409);

    await client.webhooks.delete(projectId, webhook.id);
    expect((await refusal(client.webhooks.delete(projectId, webhook.id))).status).toBe(404);
  });

  it("requests the client would never send: malformed JSON, repeated headers, oversized bodies", async () => {
    const key = (await admin.projects.createApiKey(projectId)).api_key;
    const events = `/v1/project/${projectId}/events`;
    expect((await send("POST", events, { key, body: "{" })).status).toBe(400);
    const twice = await send("GET", events, { key, headers: { "idempotency-key": "a" } });
    expect(twice.status).toBe(200);
    const large = JSON.stringify({ event_type: "big", data: { blob: "x".repeat(300 * 1024) } });
    expect((await send("POST", events, { key, body: large })).status).toBe(413);
    const header = await send("POST", events, {
      key,
      body: JSON.stringify({ event_type: "a", data: {} }),
      headers: { "idempotency-key": "ünïcode" },
    });
    expect(header.status).toBe(422);
  });

  it("answered every operation as documented: its success and at least one error", () => {
    // Every answer matched the document…
    expect(validator.problems).toEqual([]);
    // …and every operation showed its success status and at least one documented error.
    const missing = validator.operations.flatMap(({ operationId, statuses }) => {
      const seen = validator.seen.get(operationId) ?? new Set<number>();
      const success = statuses.filter((status) => status < 300);
      const gaps: string[] = [];
      if (!success.some((status) => seen.has(status))) gaps.push(`${operationId}: no success`);
      if (![...seen].some((status) => status >= 400)) gaps.push(`${operationId}: no error`);
      return gaps;
    });
    expect(missing).toEqual([]);
    expect(validator.operations.length).toBe(v1Routes.length);
  });
});
