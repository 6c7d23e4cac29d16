import { randomBytes } from "node:crypto";
import { createTestDatabase, type TestDatabase } from "./support/database.js";
import { type ListeningProcess, startListeningApp } from "./support/processes.js";
import { deleteQueuePrefix, uniqueQueuePrefix } from "./support/queue-prefix.js";
import { eventually, TestReceiver } from "./support/receiver.js";

// Whatever an operator does, no credential reaches a log line: the built api and dispatcher run at
// LOG_LEVEL=debug through every path that handles a secret, and everything they print is searched for
// every secret they were given or gave out.

const hex = (bytes: number) => randomBytes(bytes).toString("hex");
const whsec = () => `whsec_${randomBytes(32).toString("base64")}`;

interface Answer {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

describe("secrets in logs", () => {
  let database: TestDatabase;
  let receiver: TestReceiver;
  const queuePrefix = uniqueQueuePrefix("secrets");
  const running: ListeningProcess[] = [];
  /** Every secret of the run, by what it is: the scan looks for each value. */
  const secrets = new Map<string, string>();
  const adminKey = `admin-key-${hex(16)}`;
  const secretsKey = randomBytes(32).toString("base64");

  beforeAll(async () => {
    database = await createTestDatabase();
    receiver = await TestReceiver.start();
  });

  afterAll(async () => {
    for (const one of running) if (one.child.exitCode === null) one.child.kill("SIGKILL");
    await Promise.all(running.map((one) => one.exited));
    await receiver?.close();
    await deleteQueuePrefix(queuePrefix);
    await database?.drop();
  }, 30_000);

  /** Records a secret (and, for a whsec_ one, its key material alone) for the scan; returns it. */
  function secret(name: string, value: string): string {
    if (!value || value.length < 12) throw new Error(`${name}: not a secret worth scanning for: ${value}`);
    secrets.set(name, value);
    if (value.startsWith("whsec_")) secrets.set(`${name} (key part)`, value.slice("whsec_".length));
    return value;
  }

  it("the api and the dispatcher at debug log none of the secrets they handle", async () => {
    const env = {
      DATABASE_URL: database.url,
      QUEUE_PREFIX: queuePrefix,
      ADMIN_API_KEY: secret("ADMIN_API_KEY", adminKey),
      SECRETS_KEY: secret("SECRETS_KEY", secretsKey),
      LOG_LEVEL: "debug",
      RETRY_SCHEDULE: "200ms",
      DELIVERY_TIMEOUT_MS: "5000",
    };
    const [api, dispatcher] = await Promise.all([
      startListeningApp("api", env),
      startListeningApp("dispatcher", env),
    ]);
    running.push(api, dispatcher);

    const call = async (
      method: string,
      path: string,
      { key, body, headers = {} }: { key?: string; body?: unknown; headers?: Record<string, string> } = {},
    ): Promise<Answer> => {
      const response = await fetch(`${api.url}${path}`, {
        method,
        redirect: "manual",
        headers: {
          ...(key ? { authorization: `Bearer ${key}` } : {}),
          ...(body !== undefined ? { "content-type": "application/json" } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      const json = response.headers.get("content-type")?.includes("json") && text ? JSON.parse(text) : null;
      return { status: response.status, headers: response.headers, body: json, text };
    };
    const expectStatus = (answer: Answer, status: number) => {
      expect({ status: answer.status, body: answer.text.slice(0, 300) }).toEqual({
        status,
        body: expect.any(String),
      });
      return answer;
    };

    // The receiver: /gone answers 500, then 410 (the webhook is disabled); everything else 200.
    let goneCalls = 0;
    receiver.reply = (request) => {
      if (!request.url.startsWith("/gone")) return { status: 200, body: "ok" };
      goneCalls += 1;
      return goneCalls === 1 ? { status: 500, body: "boom" } : { status: 410, body: "gone" };
    };

    // A project, its key, a second key that is used, revoked, and used again (refused).
    const project = expectStatus(
      await call("POST", "/v1/projects", { key: adminKey, body: { name: "p" } }),
      201,
    );
    const projectKey = secret("project API key", project.body.api_key);
    const base = `/v1/project/${project.body.id}`;
    const extra = expectStatus(
      await call("POST", `/v1/projects/${project.body.id}/api-keys`, { key: adminKey }),
      201,
    );
    const extraKey = secret("second API key (revoked)", extra.body.api_key);
    expectStatus(await call("GET", `${base}/webhooks`, { key: extraKey }), 200);
    expectStatus(
      await call("DELETE", `/v1/projects/${project.body.id}/api-keys/${extra.body.id}`, { key: adminKey }),
      204,
    );
    expectStatus(await call("GET", `${base}/webhooks`, { key: extraKey }), 401);
    // A project key on an admin route: refused, and not logged either.
    expectStatus(await call("GET", "/v1/projects", { key: projectKey }), 401);

    // Webhooks: a generated secret with credential headers; a bring-your-own whsec_ secret; a raw one.
    const plain = expectStatus(
      await call("POST", `${base}/webhooks`, {
        key: projectKey,
        body: {
          url: `${receiver.url}/plain`,
          event_types: ["order.*"],
          headers: {
            Authorization: secret("custom Authorization header", `Bearer sk_live_${hex(16)}`),
            "X-Api-Key": secret("custom X-Api-Key header", `xak_${hex(16)}`),
          },
        },
      }),
      201,
    );
    secret("generated webhook secret", plain.body.secret);
    const gone = expectStatus(
      await call("POST", `${base}/webhooks`, {
        key: projectKey,
        body: {
          url: `${receiver.url}/gone`,
          event_types: ["order.*"],
          secret: secret("bring-your-own whsec_ secret", whsec()),
          headers: { Authorization: secret("custom Authorization header (2)", `Bearer sk_live_${hex(16)}`) },
        },
      }),
      201,
    );
    const raw = expectStatus(
      await call("POST", `${base}/webhooks`, {
        key: projectKey,
        body: {
          url: `${receiver.url}/raw`,
          event_types: ["order.*"],
          secret: secret("bring-your-own raw secret", `migrated-secret-${hex(12)}`),
          signature_header: "X-Partner-Signature",
        },
      }),
      201,
    );
    // A refused create (a reserved header beside a credential one): its body is not logged either.
    expectStatus(
      await call("POST", `${base}/webhooks`, {
        key: projectKey,
        body: {
          url: `${receiver.url}/refused`,
          event_types: ["*"],
          secret: secret("refused webhook's secret", `refused-secret-${hex(12)}`),
          headers: {
            "Content-Type": "text/plain",
            Authorization: secret("refused Authorization header", `Bearer sk_live_${hex(16)}`),
          },
        },
      }),
      422,
    );
    expectStatus(
      await call("PATCH", `${base}/webhooks/${plain.body.id}`, {
        key: projectKey,
        body: {
          headers: { Authorization: secret("patched Authorization header", `Bearer sk_live_${hex(16)}`) },
        },
      }),
      200,
    );
    const rotated = expectStatus(
      await call("POST", `${base}/webhooks/${plain.body.id}/rotate-secret`, { key: projectKey }),
      200,
    );
    secret("rotated webhook secret", rotated.body.secret);
    const tested = expectStatus(
      await call("POST", `${base}/webhooks/${plain.body.id}/test`, { key: projectKey }),
      200,
    );
    expect(tested.body).toMatchObject({ success: true, status_code: 200 });

    // Deliveries: one to each webhook; /gone fails with 500, then 410 disables its webhook.
    expectStatus(
      await call("POST", `${base}/events`, {
        key: projectKey,
        body: { event_type: "order.paid", data: { amount: 1 } },
      }),
      202,
    );
    await eventually(async () => {
      const answer = await call("GET", `${base}/webhooks/${gone.body.id}`, { key: projectKey });
      return answer.body?.disabled_reason === "gone_410" || undefined;
    }, 20_000);
    for (const webhook of [plain, raw]) {
      await eventually(async () => {
        const answer = await call("GET", `${base}/webhooks/${webhook.body.id}/deliveries`, {
          key: projectKey,
        });
        return (
          answer.body?.data?.some((delivery: { status: string }) => delivery.status === "succeeded") ||
          undefined
        );
      });
    }
    const received = receiver.requests.map((request) => request.url);
    expect(received.filter((url) => url === "/gone")).toHaveLength(2);
    expect(received.filter((url) => url === "/plain")).toHaveLength(2); // the test send and the event
    expect(received.filter((url) => url === "/raw")).toHaveLength(1);
    // The custom credential headers really went out (the values scanned for are the ones in use).
    const plainEvent = receiver.requests.filter((request) => request.url === "/plain").at(-1);
    expect(plainEvent?.headers.authorization).toBe(secrets.get("patched Authorization header"));

    // The dashboard: basic auth with the admin key, a webhook created through its form (its secret is shown
    // on the page it redirects to), a test send and a toggle through its buttons.
    const basic = secret(
      "dashboard basic-auth header",
      Buffer.from(`operator:${adminKey}`).toString("base64"),
    );
    const page = (path: string, cookie?: string) =>
      call("GET", path, { headers: { authorization: `Basic ${basic}`, ...(cookie ? { cookie } : {}) } });
    const dashboardProject = `/dashboard/projects/${project.body.id}`;
    const projectPage = expectStatus(await page(dashboardProject), 200);
    const csrf = /name="csrf" value="([^"]+)"/.exec(projectPage.text)?.[1] ?? "";
    expect(csrf).not.toBe("");
    const postForm = async (path: string, form: Record<string, string>) => {
      const response = await fetch(`${api.url}${path}`, {
        method: "POST",
        redirect: "manual",
        headers: {
          authorization: `Basic ${basic}`,
          "content-type": "application/x-www-form-urlencoded",
          origin: api.url,
        },
        body: new URLSearchParams({ csrf, ...form }).toString(),
      });
      expect(response.status).toBe(303);
      const cookie = response.headers
        .getSetCookie()
        .map((line) => line.split(";")[0])
        .join("; ");
      return expectStatus(await page(response.headers.get("location") ?? "", cookie), 200);
    };
    const webhookForm = (fields: Record<string, string>) => ({
      url: "",
      name: "",
      description: "",
      event_types: "order.*",
      headers: "",
      secret: "",
      signature_header: "",
      signature_format: "sha256=hex",
      enabled: "true",
      ...fields,
    });
    const created = await postForm(
      `${dashboardProject}/webhooks`,
      webhookForm({
        url: `${receiver.url}/dashboard`,
        headers: [
          `Authorization: ${secret("dashboard form Authorization header", `Bearer sk_live_${hex(16)}`)}`,
          `X-Api-Key: ${secret("dashboard form X-Api-Key header", `dak_${hex(16)}`)}`,
        ].join("\n"),
      }),
    );
    secret("dashboard-created webhook secret", /data-secret>([^<]+)</.exec(created.text)?.[1] ?? "");
    const dashboardWebhook = /\/webhooks\/(wh_[0-9a-z]+)/.exec(created.text)?.[1] ?? "";
    expect(dashboardWebhook).toMatch(/^wh_/);
    await postForm(
      `${dashboardProject}/webhooks`,
      webhookForm({
        url: `${receiver.url}/dashboard-own`,
        secret: secret("dashboard bring-your-own secret", `dashboard-secret-${hex(12)}`),
      }),
    );
    const webhookPath = `${dashboardProject}/webhooks/${dashboardWebhook}`;
    const afterTest = await postForm(`${webhookPath}/test`, { from: "webhook" });
    expect(afterTest.text).toContain("Test event delivered: 200");
    await postForm(`${webhookPath}/enabled`, { enabled: "false", from: "webhook" });

    // Both stop cleanly, so that everything they were going to write is written.
    for (const one of running) one.child.kill("SIGTERM");
    expect(await Promise.all(running.map((one) => one.exited))).toEqual([0, 0]);

    // The scan had something to scan: a request line for each kind of request, and the dispatcher's work.
    const logs = { api: api.output(), dispatcher: dispatcher.output() };
    const requestLines = logs.api.split("\n").filter((line) => line.includes('"msg":"request completed"'));
    expect(requestLines.length).toBeGreaterThanOrEqual(20);
    for (const path of [
      "/v1/projects",
      "/api-keys/",
      "/rotate-secret",
      `/webhooks/${plain.body.id}/test`,
      `${dashboardProject}/webhooks`,
      `${webhookPath}/test`,
    ]) {
      expect({ path, logged: requestLines.some((line) => line.includes(path)) }).toEqual({
        path,
        logged: true,
      });
    }
    const dispatcherLines = logs.dispatcher.split("\n");
    expect(dispatcherLines.filter((line) => line.includes('"msg":"dispatcher started"'))).toHaveLength(1);
    // The 410 that disabled a webhook was logged (its id, not its secret or headers).
    expect(
      dispatcherLines.filter((line) => line.includes("webhook disabled") && line.includes(gone.body.id)),
    ).toHaveLength(1);

    // And found none: each secret by value, and anything shaped like one of hookrelay's own.
    expect(secrets.size).toBeGreaterThanOrEqual(20);
    const found: string[] = [];
    for (const [process, text] of Object.entries(logs)) {
      text.split("\n").forEach((line, index) => {
        for (const [name, value] of secrets) {
          // As is, or encoded as a URL or a form body would carry it.
          const spellings = new Set([
            value,
            encodeURIComponent(value),
            new URLSearchParams({ v: value }).toString().slice(2),
          ]);
          if ([...spellings].some((spelling) => line.includes(spelling)))
            found.push(`${process} output line ${index + 1}: ${name}: ${line.slice(0, 400)}`);
        }
        for (const shape of [/whsec_[A-Za-z0-9+/]{16,}/, /\bhr_[A-Za-z0-9_-]{16,}/, /sk_live_\w{8,}/]) {
          const match = shape.exec(line);
          if (match) found.push(`${process} output line ${index + 1}: ${match[0]}: ${line.slice(0, 400)}`);
        }
      });
    }
    expect(found).toEqual([]);
  }, 90_000);
});
