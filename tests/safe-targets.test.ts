import { checkWebhookTarget, type Resolver } from "@hookrelay/shared";
import { createProject } from "./support/fixtures.js";
import { eventually, TestReceiver } from "./support/receiver.js";
import { type Stack, startStack } from "./support/stack.js";

/** A public address (not in any blocked range) that a rebinding name answers first; never connected to. */
const PUBLIC_ADDRESS = "93.184.215.14";
const REBIND_DOMAIN = ".rebind.hookrelay.test";

/**
 * DNS of an attacker's rebinding name (`<anything>.rebind.hookrelay.test`): its first lookup answers a
 * public address, every later one the loopback address the receiver listens on. Records each answer.
 */
function rebindingDns() {
  const answers: Array<{ hostname: string; address: string }> = [];
  const resolve: Resolver = async (hostname) => {
    if (!hostname.endsWith(REBIND_DOMAIN)) {
      throw Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
    }
    const first = !answers.some((answer) => answer.hostname === hostname);
    const address = first ? PUBLIC_ADDRESS : "127.0.0.1";
    answers.push({ hostname, address });
    return [{ address, family: 4 }];
  };
  return { resolve, answersFor: (hostname: string) => answers.filter((a) => a.hostname === hostname) };
}

// SSRF: private targets refused at create/update, and at connect time after the dispatcher's own lookup.
describe("safe targets", () => {
  let stack: Stack;
  let receiver: TestReceiver;
  const dns = rebindingDns();

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    // The dispatcher's (and the api's test sends') DNS is the rebinding one.
    stack = await startStack(
      { ALLOW_PRIVATE_TARGETS: "false", RETRY_SCHEDULE: "1h" },
      { resolve: dns.resolve },
    );
  });

  /**
   * A webhook on a fresh rebinding name, after the create-time check has looked the name up: that first
   * lookup answered the public address, so the check accepted it. (The api's own check resolves with the
   * system's DNS, where the name does not exist and is accepted as well; the same check runs here with
   * the rebinding DNS, so that the name really looked public before it turned private.)
   */
  async function rebindingWebhook(label: string) {
    const hostname = `${label}${REBIND_DOMAIN}`;
    const url = `http://${hostname}:${new URL(receiver.url).port}/`;
    const policy = { requireHttps: false, allowPrivateTargets: false, resolve: dns.resolve };
    expect(await checkWebhookTarget(url, policy)).toBeNull();
    expect(dns.answersFor(hostname).map((answer) => answer.address)).toEqual([PUBLIC_ADDRESS]);
    const project = await createProject(stack);
    const webhook = await project.webhook({ url, event_types: ["*"] });
    return { project, webhook, hostname };
  }

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

  it("blocks a name that answered a public address first and loopback next, and never connects", async () => {
    const { project, webhook, hostname } = await rebindingWebhook("delivery");
    await project.event("a.b");
    const attempt = await eventually(() =>
      stack.db.attempt
        .findFirst({ where: { delivery: { webhookId: webhook.id } } })
        .then((a) => a ?? undefined),
    );
    expect(attempt).toMatchObject({ error: "blocked_address", statusCode: null });
    // The dispatcher looked the name up itself, once, and got the private answer it refused.
    expect(dns.answersFor(hostname).map((answer) => answer.address)).toEqual([PUBLIC_ADDRESS, "127.0.0.1"]);
    expect(receiver.connections).toBe(0);
    expect(receiver.requests).toHaveLength(0);
  });

  it("applies the same rules to test sends", async () => {
    const { project, webhook, hostname } = await rebindingWebhook("test-send");
    const sent = await stack.call("POST", project.path(`/webhooks/${webhook.id}/test`), { key: project.key });
    expect(sent.body).toMatchObject({ success: false, status_code: null, error: "blocked_address" });
    expect(dns.answersFor(hostname).map((answer) => answer.address)).toEqual([PUBLIC_ADDRESS, "127.0.0.1"]);
    expect(receiver.connections).toBe(0);
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
    expect(receiver.connections).toBe(0);
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
