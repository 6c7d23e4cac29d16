import { createHmac, randomBytes } from "node:crypto";
import { verifyWebhook } from "@hookrelay/client";
import { Webhook } from "standardwebhooks";
import { createProject, type TestProject } from "./support/fixtures.js";
import { type ReceivedRequest, TestReceiver } from "./support/receiver.js";
import { type Stack, startStack } from "./support/stack.js";

// SPEC "Webhook subscriptions": bring-your-own secrets, the extra HMAC header's name and format, test sends
// to database change webhooks, and `payload` on a delivery, against a real receiver, Redis and PostgreSQL.
describe("signature formats and bring-your-own secrets", () => {
  let stack: Stack;
  let project: TestProject;
  const receivers: TestReceiver[] = [];

  beforeAll(async () => {
    stack = await startStack({ RETRY_SCHEDULE: "1h" });
    project = await createProject(stack);
  });

  afterAll(async () => {
    await stack?.stop();
    await Promise.all(receivers.map((receiver) => receiver.close()));
  }, 60_000);

  async function newReceiver(): Promise<TestReceiver> {
    const receiver = await TestReceiver.start();
    receivers.push(receiver);
    return receiver;
  }

  const call = (method: string, path: string, body?: unknown) =>
    stack.call(method, project.path(path), { key: project.key, body });

  /** The HMAC-SHA256 of the exact received bytes keyed by the whole secret string, made independently. */
  const hmac = (secret: string, body: Buffer) =>
    createHmac("sha256", Buffer.from(secret, "utf8")).update(body).digest();

  function headersOf(request: ReceivedRequest): Record<string, string> {
    return request.headers as Record<string, string>;
  }

  /** The Standard Webhooks headers are present, and the official library accepts them with `secret`. */
  function expectStandardWebhooks(request: ReceivedRequest, secret: string, options?: { format: "raw" }) {
    const headers = headersOf(request);
    expect(headers["webhook-id"]).toMatch(/^evt_/);
    expect(headers["webhook-timestamp"]).toMatch(/^\d+$/);
    expect(headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    const event = new Webhook(secret, options).verify(request.body.toString("utf8"), headers);
    expect(event).toMatchObject({ event_id: headers["webhook-id"] });
    return event;
  }

  /** Creates a webhook on its own receiver, posts one matching event and returns what arrived. */
  async function deliverOne(
    webhookFields: Record<string, unknown>,
    data: Record<string, unknown> = { n: 1 },
  ) {
    const receiver = await newReceiver();
    const eventType = `sig.${randomBytes(4).toString("hex")}`;
    const webhook = await project.webhook({ url: receiver.url, event_types: [eventType], ...webhookFields });
    await project.event(eventType, data);
    const [request] = await receiver.waitForRequests(1);
    if (!request) throw new Error("nothing arrived");
    return { webhook, receiver, request, eventType };
  }

  async function webhookCount(): Promise<number> {
    return stack.db.webhook.count({ where: { projectId: project.id } });
  }

  function expect422(response: { status: number; body: any }, field: string, message?: RegExp) {
    expect(response.status).toBe(422);
    expect(Object.keys(response.body)).toEqual(["error"]);
    expect(response.body.error).toEqual({
      code: "validation_error",
      message: expect.stringMatching(new RegExp(`^${field}: `)),
      details: expect.arrayContaining([{ path: field, message: expect.any(String) }]),
    });
    if (message) expect(response.body.error.message).toMatch(message);
  }

  describe("the extra HMAC header under a custom name", () => {
    it.each([
      {
        header: "X-Truss-Signature",
        format: "hex",
        expected: (digest: Buffer) => digest.toString("hex"),
        shape: /^[0-9a-f]{64}$/,
      },
      {
        header: "X-Hub-Signature-256",
        format: "sha256=hex",
        expected: (digest: Buffer) => `sha256=${digest.toString("hex")}`,
        shape: /^sha256=[0-9a-f]{64}$/,
      },
      {
        header: "X-Shopify-Hmac-Sha256",
        format: "base64",
        expected: (digest: Buffer) => digest.toString("base64"),
        shape: /^[A-Za-z0-9+/]{43}=$/,
      },
    ])(
      "$header carries the $format HMAC of the received bytes; Standard Webhooks still signs; no X-Webhook-Signature",
      async ({ header, format, expected, shape }) => {
        const { webhook, request } = await deliverOne(
          { signature_header: header, signature_format: format },
          { total: "12.50", name: "naïve ✓ 日本" },
        );
        expect(webhook).toMatchObject({ signature_header: header, signature_format: format });
        const read = await call("GET", `/webhooks/${webhook.id}`);
        expect(read.body).toMatchObject({ signature_header: header, signature_format: format });

        const value = headersOf(request)[header.toLowerCase()];
        expect(value).toMatch(shape);
        expect(value).toBe(expected(hmac(webhook.secret, request.body)));
        expect(request.headers["x-webhook-signature"]).toBeUndefined();
        expectStandardWebhooks(request, webhook.secret);
        expect(verifyWebhook(request.body, headersOf(request), webhook.secret)).toMatchObject({
          data: { total: "12.50", name: "naïve ✓ 日本" },
        });
      },
    );

    it("defaults to X-Webhook-Signature: sha256=<hex>, shown on every webhook object", async () => {
      const { webhook, request } = await deliverOne({});
      expect(webhook).toMatchObject({
        signature_header: "X-Webhook-Signature",
        signature_format: "sha256=hex",
      });
      expect(request.headers["x-webhook-signature"]).toBe(
        `sha256=${hmac(webhook.secret, request.body).toString("hex")}`,
      );
      const listed = await call("GET", "/webhooks?limit=250");
      for (const one of listed.body.data) {
        expect(one).toHaveProperty("signature_header", expect.any(String));
        expect(one).toHaveProperty("signature_format", expect.any(String));
      }
    });

    it("accepts X-Webhook-Signature given explicitly, storing null for the default name", async () => {
      const { webhook, request } = await deliverOne({
        signature_header: "X-Webhook-Signature",
        signature_format: "hex",
      });
      expect(webhook).toMatchObject({ signature_header: "X-Webhook-Signature", signature_format: "hex" });
      const row = await stack.db.webhook.findUniqueOrThrow({ where: { id: webhook.id } });
      expect(row.signatureHeader).toBeNull();
      expect(row.signatureFormat).toBe("hex");
      expect(request.headers["x-webhook-signature"]).toBe(hmac(webhook.secret, request.body).toString("hex"));
    });
  });

  describe("bring your own secret", () => {
    it("signs with a whsec_ secret the receiver already has; the create answer repeats it, GET never shows it", async () => {
      const secret = `whsec_${randomBytes(24).toString("base64")}`;
      const { webhook, request } = await deliverOne({ secret, signature_header: "X-Hub-Signature-256" });
      expect(webhook.secret).toBe(secret);
      const read = await call("GET", `/webhooks/${webhook.id}`);
      expect(read.status).toBe(200);
      expect(read.body.secret).toBeUndefined();
      expect(JSON.stringify((await call("GET", "/webhooks?limit=250")).body)).not.toContain(secret);
      const row = await stack.db.webhook.findUniqueOrThrow({ where: { id: webhook.id } });
      expect(row.secretCiphertext).not.toContain(secret.slice(6));

      expectStandardWebhooks(request, secret);
      expect(verifyWebhook(request.body, headersOf(request), secret)).toMatchObject({ data: { n: 1 } });
      expect(request.headers["x-hub-signature-256"]).toBe(
        `sha256=${hmac(secret, request.body).toString("hex")}`,
      );
    });

    it("uses a raw (non-whsec_) secret as key bytes: the library's raw format and verifyWebhook accept it", async () => {
      const secret = `shpss_${randomBytes(12).toString("hex")}!#$%&*+-.^_|~`;
      const { webhook, request } = await deliverOne({
        secret,
        signature_header: "X-Shopify-Hmac-Sha256",
        signature_format: "base64",
      });
      expect(webhook.secret).toBe(secret);
      expectStandardWebhooks(request, secret, { format: "raw" });
      expect(verifyWebhook(request.body, headersOf(request), secret)).toMatchObject({ data: { n: 1 } });
      expect(request.headers["x-shopify-hmac-sha256"]).toBe(hmac(secret, request.body).toString("base64"));
      // Made independently: the key is the secret's own bytes, not a base64 decoding of it.
      const headers = headersOf(request);
      const signed = Buffer.concat([
        Buffer.from(`${headers["webhook-id"]}.${headers["webhook-timestamp"]}.`),
        request.body,
      ]);
      expect(headers["webhook-signature"]).toBe(
        `v1,${createHmac("sha256", Buffer.from(secret, "utf8")).update(signed).digest("base64")}`,
      );
    });
  });

  describe("bad input: 422 in the SPEC error shape, nothing created", () => {
    const url = "http://127.0.0.1:9/never";
    it.each([
      ["a secret too short", { secret: "abc" }, "secret"],
      ["whsec_ + base64 of 8 bytes", { secret: `whsec_${randomBytes(8).toString("base64")}` }, "secret"],
      ["a non-ASCII secret", { secret: "sécrét-sécrét-sécrét" }, "secret"],
      ["a secret with a space", { secret: "sixteen chars plus" }, "secret"],
      ["signature_header Content-Type", { signature_header: "Content-Type" }, "signature_header"],
      ["signature_header webhook-id", { signature_header: "webhook-id" }, "signature_header"],
      ["an invalid header name", { signature_header: "X Signature" }, "signature_header"],
      [
        "a signature_header equal to one of its custom headers",
        { signature_header: "X-Truss-Signature", headers: { "x-truss-signature": "static" } },
        "signature_header",
      ],
      ["an unknown signature_format", { signature_format: "sha1=hex" }, "signature_format"],
    ])("%s", async (_name, fields, field) => {
      const before = await webhookCount();
      const response = await call("POST", "/webhooks", { url, event_types: ["*"], ...fields });
      expect422(response, field);
      expect(await webhookCount()).toBe(before);
    });

    it("PATCH with secret answers 422 naming rotate-secret and changes nothing", async () => {
      const webhook = await project.webhook({ url, event_types: ["never.sent"] });
      const before = await stack.db.webhook.findUniqueOrThrow({ where: { id: webhook.id } });
      const response = await call("PATCH", `/webhooks/${webhook.id}`, {
        secret: `whsec_${randomBytes(32).toString("base64")}`,
        name: "renamed",
      });
      expect422(response, "secret", /rotate-secret/);
      const after = await stack.db.webhook.findUniqueOrThrow({ where: { id: webhook.id } });
      expect(after.secretCiphertext).toBe(before.secretCiphertext);
      expect(after.name).toBe(before.name);
    });

    it("PATCH checks the signature header against the headers the webhook will have", async () => {
      const webhook = await project.webhook({
        url,
        event_types: ["never.sent"],
        headers: { "X-Tenant": "one" },
        signature_header: "X-Truss-Signature",
        signature_format: "hex",
      });
      expect422(
        await call("PATCH", `/webhooks/${webhook.id}`, { signature_header: "x-tenant" }),
        "signature_header",
      );
      expect422(
        await call("PATCH", `/webhooks/${webhook.id}`, { headers: { "X-TRUSS-SIGNATURE": "static" } }),
        "headers",
      );
      expect422(
        await call("PATCH", `/webhooks/${webhook.id}`, {
          signature_header: "X-Other",
          headers: { "x-other": "static" },
        }),
        "signature_header",
      );
      // Both at once, no longer clashing: fine.
      const moved = await call("PATCH", `/webhooks/${webhook.id}`, {
        signature_header: "X-Tenant",
        headers: { "X-Truss-Signature": "static" },
      });
      expect(moved.status).toBe(200);
      expect(moved.body).toMatchObject({
        signature_header: "X-Tenant",
        headers: { "X-Truss-Signature": "********" },
      });
      for (const invalid of [{ signature_header: "Content-Type" }, { signature_format: "hex64" }]) {
        expect((await call("PATCH", `/webhooks/${webhook.id}`, invalid)).status).toBe(422);
      }
      const row = await stack.db.webhook.findUniqueOrThrow({ where: { id: webhook.id } });
      expect([row.signatureHeader, row.signatureFormat]).toEqual(["X-Tenant", "hex"]);
    });
  });

  it("PATCH of signature_header and signature_format takes effect on the next delivery", async () => {
    const { webhook, receiver, request: first, eventType } = await deliverOne({});
    expect(first.headers["x-webhook-signature"]).toBe(
      `sha256=${hmac(webhook.secret, first.body).toString("hex")}`,
    );

    const patched = await call("PATCH", `/webhooks/${webhook.id}`, {
      signature_header: "X-Truss-Signature",
      signature_format: "hex",
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ signature_header: "X-Truss-Signature", signature_format: "hex" });
    await project.event(eventType, { n: 2 });
    const [, second] = await receiver.waitForRequests(2);
    if (!second) throw new Error("no second request");
    expect(second.headers["x-truss-signature"]).toBe(hmac(webhook.secret, second.body).toString("hex"));
    expect(second.headers["x-webhook-signature"]).toBeUndefined();
    expectStandardWebhooks(second, webhook.secret);

    const reset = await call("PATCH", `/webhooks/${webhook.id}`, {
      signature_header: null,
      signature_format: "base64",
    });
    expect(reset.body).toMatchObject({ signature_header: "X-Webhook-Signature", signature_format: "base64" });
    await project.event(eventType, { n: 3 });
    const [, , third] = await receiver.waitForRequests(3);
    if (!third) throw new Error("no third request");
    expect(third.headers["x-webhook-signature"]).toBe(hmac(webhook.secret, third.body).toString("base64"));
    expect(third.headers["x-truss-signature"]).toBeUndefined();
  });

  describe("test sends", () => {
    async function testSend(webhookFields: Record<string, unknown>) {
      const receiver = await newReceiver();
      const webhook = await project.webhook({ url: receiver.url, ...webhookFields });
      const before = Date.now();
      const answer = await call("POST", `/webhooks/${webhook.id}/test`);
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ success: true, status_code: 200 });
      const [request] = await receiver.waitForRequests(1);
      if (!request) throw new Error("nothing arrived");
      return { webhook, request, answer: answer.body, before, after: Date.now() };
    }

    it("to a database change webhook sends the change shape with event TEST, signed like deliveries", async () => {
      const { webhook, request, before, after } = await testSend({
        event_types: ["db.public.orders.*"],
        signature_header: "X-Hub-Signature-256",
      });
      const text = request.body.toString("utf8");
      expect(text).toMatch(
        /"data":\{"event":"TEST","schema":"public","table":"orders","row":null,"old_row":null,"timestamp":"[^"]+"\}\}$/,
      );
      const envelope = expectStandardWebhooks(request, webhook.secret) as {
        event_type: string;
        data: { timestamp: string };
      };
      expect(envelope).toMatchObject({
        event_type: "webhook.test",
        project_id: project.id,
        data: { event: "TEST", schema: "public", table: "orders", row: null, old_row: null },
      });
      const at = Date.parse(envelope.data.timestamp);
      expect(new Date(at).toISOString()).toBe(envelope.data.timestamp);
      expect(at).toBeGreaterThanOrEqual(before - 5);
      expect(at).toBeLessThanOrEqual(after + 5);
      expect(request.headers["x-webhook-event"]).toBe("webhook.test");
      expect(request.headers["x-hub-signature-256"]).toBe(
        `sha256=${hmac(webhook.secret, request.body).toString("hex")}`,
      );
      expect(request.headers["x-webhook-signature"]).toBeUndefined();
    });

    it.each([
      [["db.*"], { schema: null, table: null }],
      [["db.public.*"], { schema: "public", table: null }],
      [["db.sales.orders.insert", "db.sales.orders.update"], { schema: "sales", table: "orders" }],
    ])("names the schema and table of the first filter %j", async (eventTypes, expected) => {
      const { request } = await testSend({ event_types: eventTypes });
      expect(JSON.parse(request.body.toString("utf8")).data).toEqual({
        event: "TEST",
        ...expected,
        row: null,
        old_row: null,
        timestamp: expect.any(String),
      });
    });

    it.each([[["order.paid"]], [["*"]], [["db.public.orders.*", "order.paid"]]])(
      "keeps the ordinary test data for %j",
      async (eventTypes) => {
        const { webhook, request } = await testSend({ event_types: eventTypes });
        expect(JSON.parse(request.body.toString("utf8"))).toMatchObject({
          event_type: "webhook.test",
          data: { webhook_id: webhook.id, message: "This is a test event from hookrelay." },
        });
      },
    );
  });

  describe("GET delivery", () => {
    it("has payload: byte for byte the body the receiver got; the list has no payload", async () => {
      const data = {
        name: "naïve ✓ 日本 🚀",
        amount: 12.5,
        big: 12345678901234,
        nested: { list: [1, "two", null] },
      };
      const { webhook, request } = await deliverOne({}, data);
      const deliveryId = request.headers["x-webhook-delivery"] as string;
      const got = await call("GET", `/webhooks/${webhook.id}/deliveries/${deliveryId}`);
      expect(got.status).toBe(200);
      expect(typeof got.body.payload).toBe("string");
      expect(Buffer.from(got.body.payload, "utf8").equals(request.body)).toBe(true);
      expect(JSON.parse(got.body.payload)).toMatchObject({ data });
      expect(got.body).toMatchObject({ id: deliveryId, webhook_id: webhook.id });

      const listed = await call("GET", `/webhooks/${webhook.id}/deliveries`);
      expect(listed.body.data).toHaveLength(1);
      expect(listed.body.data[0]).not.toHaveProperty("payload");
    });

    it("has the payload of a test send too", async () => {
      const receiver = await newReceiver();
      const webhook = await project.webhook({ url: receiver.url, event_types: ["db.public.orders.*"] });
      const answer = await call("POST", `/webhooks/${webhook.id}/test`);
      const [request] = await receiver.waitForRequests(1);
      const got = await call("GET", `/webhooks/${webhook.id}/deliveries/${answer.body.delivery_id}`);
      expect(Buffer.from(got.body.payload, "utf8").equals(request?.body ?? Buffer.alloc(0))).toBe(true);
    });
  });
});
