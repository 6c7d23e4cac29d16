import { createProject } from "./support/fixtures.js";
import { eventually, TestReceiver } from "./support/receiver.js";
import { type Stack, startStack } from "./support/stack.js";

// SSRF: private targets refused at create/update, and at connect time after the dispatcher's own lookup.
describe("safe targets", () => {
  let stack: Stack;
  let receiver: TestReceiver;

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    stack = await startStack(
      { ALLOW_PRIVATE_TARGETS: "false", RETRY_SCHEDULE: "1h" },
      {
        // The dispatcher's DNS: a name that looked public (it did not resolve for the api) now points
        // at the loopback receiver — DNS rebinding.
        resolve: async (hostname) => {
          if (hostname === "rebind.hookrelay.test") return [{ address: "127.0.0.1", family: 4 }];
          throw Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
        },
      },
    );
  });

  afterAll(async () => {
    await stack?.stop();
    await receiver?.close();
  });

  it.each([
    "http://127.0.0.1:4000/hooks",
    "http://localhost/hooks",
    "http://2130706433/",
    "http://0x7f.1/",
    "http://10.0.0.8/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[fd00::1]/",
  ])("refuses %s with 422 when private targets are not allowed", async (url) => {
    const project = await createProject(stack);
    const response = await stack.call("POST", project.path("/webhooks"), {
      key: project.key,
      body: { url, event_types: ["*"] },
    });
    expect(response.status).toBe(422);
    expect(response.body.error).toMatchObject({ code: "validation_error", details: [{ path: "url" }] });
  });

  it("refuses an update to a private target", async () => {
    const project = await createProject(stack);
    const webhook = await project.webhook({ url: "https://hooks.example.com/x", event_types: ["*"] });
    const response = await stack.call("PATCH", project.path(`/webhooks/${webhook.id}`), {
      key: project.key,
      body: { url: "http://192.168.0.10/" },
    });
    expect(response.status).toBe(422);
  });

  it("blocks a name rebound to loopback at connect time and records blocked_address", async () => {
    const project = await createProject(stack);
    const port = new URL(receiver.url).port;
    const webhook = await project.webhook({
      url: `http://rebind.hookrelay.test:${port}/`,
      event_types: ["*"],
    });
    await project.event("a.b");
    const attempt = await eventually(() =>
      stack.db.attempt
        .findFirst({ where: { delivery: { webhookId: webhook.id } } })
        .then((a) => a ?? undefined),
    );
    expect(attempt).toMatchObject({ error: "blocked_address", statusCode: null });
    expect(receiver.requests).toHaveLength(0);
  });

  it("applies the same rules to test sends", async () => {
    const project = await createProject(stack);
    const port = new URL(receiver.url).port;
    const webhook = await project.webhook({
      url: `http://rebind.hookrelay.test:${port}/`,
      event_types: ["*"],
    });
    const sent = await stack.call("POST", project.path(`/webhooks/${webhook.id}/test`), { key: project.key });
    expect(sent.body).toMatchObject({ success: false, status_code: null, error: "blocked_address" });
    expect(receiver.requests).toHaveLength(0);
  });

  it("blocks a private IP literal that reached the database anyway", async () => {
    const project = await createProject(stack);
    const webhook = await project.webhook({ url: "https://hooks.example.com/x", event_types: ["*"] });
    await stack.db.webhook.update({ where: { id: webhook.id }, data: { url: `${receiver.url}/sneaky` } });
    await project.event("a.b");
    const attempt = await eventually(() =>
      stack.db.attempt
        .findFirst({ where: { delivery: { webhookId: webhook.id } } })
        .then((a) => a ?? undefined),
    );
    expect(attempt.error).toBe("blocked_address");
    expect(receiver.requests).toHaveLength(0);
  });
});

describe("https only in production", () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack(
      {
        NODE_ENV: "production",
        SECRETS_KEY: Buffer.alloc(32, 7).toString("base64"),
        ALLOW_PRIVATE_TARGETS: "true",
      },
      { dispatcher: false },
    );
  });

  afterAll(() => stack?.stop());

  it("refuses http:// webhook URLs and accepts https://", async () => {
    const project = await createProject(stack);
    const refused = await stack.call("POST", project.path("/webhooks"), {
      key: project.key,
      body: { url: "http://hooks.example.com/", event_types: ["*"] },
    });
    expect(refused.status).toBe(422);
    expect(refused.body.error.message).toContain("https");
    await expect(
      project.webhook({ url: "https://hooks.example.com/", event_types: ["*"] }),
    ).resolves.toMatchObject({
      url: "https://hooks.example.com/",
    });
  });
});
