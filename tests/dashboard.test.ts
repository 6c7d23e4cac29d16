import { createProject, type TestProject } from "./support/fixtures.js";
import { eventually, TestReceiver } from "./support/receiver.js";
import { ADMIN_KEY, type Stack, startStack } from "./support/stack.js";

// The dashboard over plain HTTP: auth, escaping of what strangers send, CSRF refusal, and its actions.
describe("dashboard (HTTP)", () => {
  let stack: Stack;
  let receiver: TestReceiver;
  let project: TestProject;
  const basic = `Basic ${Buffer.from(`admin:${ADMIN_KEY}`).toString("base64")}`;

  beforeAll(async () => {
    stack = await startStack({ RETRY_SCHEDULE: "100ms", RETRY_MAX_AGE: "150ms" });
    receiver = await TestReceiver.start();
    project = await createProject(stack, "Dash <Shop> & Co");
  });

  afterAll(async () => {
    await stack?.stop();
    await receiver?.close();
  }, 60_000);

  beforeEach(() => {
    receiver.reply = () => ({ status: 200, body: "ok" });
  });

  interface PageOptions {
    authorization?: string | null;
    form?: Record<string, string>;
    headers?: Record<string, string>;
  }

  /** A dashboard request as a browser would send it (basic auth, same-origin form posts); no redirects followed. */
  async function request(path: string, { authorization = basic, form, headers = {} }: PageOptions = {}) {
    const response = await fetch(stack.apiUrl + path, {
      method: form ? "POST" : "GET",
      redirect: "manual",
      headers: {
        ...(authorization ? { authorization } : {}),
        ...(form ? { "content-type": "application/x-www-form-urlencoded", origin: stack.apiUrl } : {}),
        ...headers,
      },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    return { status: response.status, headers: response.headers, text: await response.text() };
  }

  const dashboardPath = (suffix = "") => `/dashboard/projects/${project.id}${suffix}`;

  async function csrfToken(): Promise<string> {
    const page = await request(dashboardPath());
    const token = /name="csrf" value="([^"]+)"/.exec(page.text)?.[1];
    if (!token) throw new Error("no form token on the project page");
    return token;
  }

  /** Waits until the webhook's deliveries are all settled, `count` of them. */
  async function settled(webhookId: string, count: number) {
    return eventually(async () => {
      const rows = await stack.db.delivery.findMany({ where: { webhookId }, orderBy: { id: "asc" } });
      return rows.length === count && rows.every((row) => row.status !== "pending") ? rows : undefined;
    });
  }

  it("asks for the admin key: 401 with a basic-auth challenge, then pages with bearer or basic auth", async () => {
    const anonymous = await request("/dashboard", { authorization: null });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toMatch(/^Basic realm="hookrelay"/);
    expect(anonymous.headers.get("content-type")).toMatch(/^text\/html/);
    expect(anonymous.text).toContain("admin API key as the password");
    expect(anonymous.text).not.toContain(project.id);

    const wrong = await request("/dashboard", {
      authorization: `Basic ${Buffer.from("admin:not-the-key-0123456789").toString("base64")}`,
    });
    expect(wrong.status).toBe(401);
    expect((await request("/dashboard/projects/x", { authorization: null })).status).toBe(401);
    // A project's own API key is not the admin key.
    expect((await request("/dashboard", { authorization: `Bearer ${project.key}` })).status).toBe(401);

    const bearer = await request("/dashboard", { authorization: `Bearer ${ADMIN_KEY}` });
    expect(bearer.status).toBe(200);
    const page = await request("/dashboard");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(page.text).toContain(`href="/dashboard/projects/${project.id}"`);
    expect(page.text).toContain("Dash &lt;Shop&gt; &amp; Co");
    expect(page.text).not.toContain("Dash <Shop>");
  });

  it("sends a strict Content-Security-Policy and no-store on every page", async () => {
    for (const path of ["/dashboard", dashboardPath(), "/dashboard/nothing-here"]) {
      const page = await request(path);
      const policy = page.headers.get("content-security-policy") ?? "";
      expect(policy).toContain("default-src 'none'");
      expect(policy).toContain("style-src 'self'");
      expect(policy).toContain("form-action 'self'");
      expect(policy).toContain("frame-ancestors 'none'");
      expect(policy).not.toContain("script-src");
      expect(page.headers.get("cache-control")).toBe("no-store");
      expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    }
    const css = await request("/dashboard/assets/dashboard.css", { authorization: null });
    expect(css.status).toBe(200);
    expect(css.headers.get("content-type")).toMatch(/^text\/css/);
    expect(css.text).toContain(".badge-red");
  });

  it("shows webhooks, the delivery log and attempts with color badges, escaping what receivers send", async () => {
    const hostileBody = `<script>alert("owned")</script><img src=x onerror=alert(1)>`;
    receiver.reply = (request) =>
      request.body.toString().includes('"fail":true')
        ? { status: 500, body: hostileBody }
        : { status: 200, body: "fine" };
    const webhook = await project.webhook({
      url: `${receiver.url}/hooks?tag="><b>x</b>`,
      name: "orders <main>",
      event_types: ["order.*"],
      headers: { "X-Api-Token": "tok_do_not_show_me", "X-Note": "<i>note</i>" },
    });
    const failing = await project.event("order.paid", { fail: true });
    const fine = await project.event("order.sent", { fail: false });
    const rows = await settled(webhook.id, 2);
    const failed = rows.find((row) => row.eventId === failing.event_id);
    const succeeded = rows.find((row) => row.eventId === fine.event_id);
    expect(failed?.status).toBe("failed");
    expect(succeeded?.status).toBe("succeeded");

    const projectPage = await request(dashboardPath());
    expect(projectPage.status).toBe(200);
    expect(projectPage.text).toContain("orders &lt;main&gt;");
    expect(projectPage.text).toContain("/hooks?tag=&quot;&gt;&lt;b&gt;x&lt;/b&gt;");
    expect(projectPage.text).not.toContain("<b>x</b>");
    expect(projectPage.text).toContain("order.*");
    expect(projectPage.text).toMatch(/data-enabled="true"/);
    expect(projectPage.text).toContain("last failure:");

    const webhookPage = await request(dashboardPath(`/webhooks/${webhook.id}`));
    expect(webhookPage.status).toBe(200);
    const text = webhookPage.text;
    expect(text).not.toContain(webhook.secret);
    expect(text).not.toContain("tok_do_not_show_me");
    expect(text).toContain("X-Api-Token: ********");
    expect(text).toContain("X-Note: &lt;i&gt;note&lt;/i&gt;");
    const failedRow = text.slice(text.indexOf(`data-delivery-id="${failed?.id}"`)).split("</tr>")[0] ?? "";
    const succeededRow =
      text.slice(text.indexOf(`data-delivery-id="${succeeded?.id}"`)).split("</tr>")[0] ?? "";
    expect(failedRow).toContain('class="badge badge-red"');
    expect(failedRow).toContain(">500<");
    expect(succeededRow).toContain('class="badge badge-green"');
    // Newest first.
    expect(text.indexOf(`data-delivery-id="${succeeded?.id}"`)).toBeLessThan(
      text.indexOf(`data-delivery-id="${failed?.id}"`),
    );

    const deliveryPage = await request(dashboardPath(`/webhooks/${webhook.id}/deliveries/${failed?.id}`));
    expect(deliveryPage.status).toBe(200);
    expect(deliveryPage.text).toContain(
      "&lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;",
    );
    expect(deliveryPage.text).not.toContain("<script");
    expect(deliveryPage.text).not.toContain("<img");
    expect(deliveryPage.text.match(/data-attempt-number="\d+"/g)).toHaveLength(failed?.attemptCount ?? -1);
    expect(deliveryPage.text).toMatch(/\d+ ms/);
    expect(deliveryPage.text).toContain("&quot;fail&quot;: true");
  });

  it("colors by the last attempt: yellow for 3xx/4xx, red for a timeout or connection error", async () => {
    receiver.reply = (request) => {
      const body = request.body.toString();
      if (body.includes('"answer":404')) return { status: 404, body: "gone fishing" };
      if (body.includes('"answer":302')) return { status: 302, headers: { location: "/elsewhere" } };
      return { status: 200 };
    };
    const webhook = await project.webhook({ url: receiver.url, event_types: ["color.*"] });
    const notFound = await project.event("color.a", { answer: 404 });
    const redirect = await project.event("color.b", { answer: 302 });
    // Nothing listens on port 9 of 127.0.0.1: a connection error.
    const refused = await project.webhook({ url: "http://127.0.0.1:9/", event_types: ["refused.*"] });
    await project.event("refused.a");
    const rows = await settled(webhook.id, 2);
    const [refusedRow] = await settled(refused.id, 1);

    const page = (await request(dashboardPath(`/webhooks/${webhook.id}`))).text;
    for (const eventId of [notFound.event_id, redirect.event_id]) {
      const id = rows.find((row) => row.eventId === eventId)?.id;
      const row = page.slice(page.indexOf(`data-delivery-id="${id}"`)).split("</tr>")[0] ?? "";
      expect(row).toContain('class="badge badge-yellow"');
    }
    const refusedPage = (await request(dashboardPath(`/webhooks/${refused.id}`))).text;
    const row = refusedPage
      .slice(refusedPage.indexOf(`data-delivery-id="${refusedRow?.id}"`))
      .split("</tr>")[0];
    expect(row).toContain('class="badge badge-red"');
    expect(row).toContain(">connection_refused<");
  });

  it("filters the delivery log by status and pages through it by cursor", async () => {
    receiver.reply = (request) =>
      request.body.toString().includes('"fail":true') ? { status: 503 } : { status: 200 };
    const webhook = await project.webhook({ url: receiver.url, event_types: ["page.*"] });
    for (let n = 0; n < 3; n++) await project.event("page.ok", { n });
    await project.event("page.bad", { fail: true });
    const rows = await settled(webhook.id, 4);
    const base = dashboardPath(`/webhooks/${webhook.id}`);
    const ids = (text: string) => [...text.matchAll(/data-delivery-id="([^"]+)"/g)].map((match) => match[1]);

    const failedOnly = await request(`${base}?status=failed`);
    expect(ids(failedOnly.text)).toEqual(rows.filter((row) => row.status === "failed").map((row) => row.id));
    expect(failedOnly.text).toMatch(/<option value="failed" selected>/);
    const byType = await request(`${base}?status=&event_type=page.ok`);
    expect(ids(byType.text)).toHaveLength(3);

    const newestFirst = rows.map((row) => row.id).reverse();
    const okNewestFirst = rows
      .filter((row) => row.eventType === "page.ok")
      .map((row) => row.id)
      .reverse();
    const olderLink = (text: string) =>
      /href="([^"]+)">Older »<\/a>/.exec(text)?.[1]?.replaceAll("&amp;", "&");
    const first = await request(`${base}?limit=2&event_type=page.ok`);
    expect(ids(first.text)).toEqual(okNewestFirst.slice(0, 2));
    const older = olderLink(first.text) ?? "";
    // The next page keeps the page size and the filters.
    expect(new URLSearchParams(older.split("?")[1]).get("limit")).toBe("2");
    expect(new URLSearchParams(older.split("?")[1]).get("event_type")).toBe("page.ok");
    const second = await request(older);
    expect(ids(second.text)).toEqual(okNewestFirst.slice(2));
    expect(second.text).not.toContain("Older »");
    expect(second.text).toContain("« Newest");

    const all = await request(`${base}?limit=2`);
    expect(ids(all.text)).toEqual(newestFirst.slice(0, 2));
    const rest = await request(olderLink(all.text) ?? "");
    expect(ids(rest.text)).toEqual(newestFirst.slice(2, 4));
    expect(rest.text).not.toContain("Older »");
  });

  it("answers a 404 page for unknown ids and paths, and a 422 page for a bad filter, never a stack trace", async () => {
    const webhook = await project.webhook({ url: receiver.url, event_types: ["ids.*"] });
    for (const path of [
      "/dashboard/projects/proj_nope",
      dashboardPath("/webhooks/wh_nope"),
      dashboardPath(`/webhooks/${webhook.id}/deliveries/dlv_nope`),
      `/dashboard/projects/${encodeURIComponent("<script>")}/webhooks/${webhook.id}`,
      "/dashboard/no/such/page",
    ]) {
      const page = await request(path);
      expect(page.status).toBe(404);
      expect(page.headers.get("content-type")).toMatch(/^text\/html/);
      expect(page.text).toContain("Not found");
      expect(page.text).not.toMatch(/at .*\.(ts|js):\d+/);
      expect(page.text).not.toContain("<script>");
    }
    // Another project's webhook is not found under this project.
    const other = await createProject(stack, "Other");
    expect((await request(`/dashboard/projects/${other.id}/webhooks/${webhook.id}`)).status).toBe(404);
    // The project list pages too, newest first.
    const newest = await request("/dashboard?limit=1");
    expect(newest.text).toContain(`href="/dashboard/projects/${other.id}"`);
    expect(newest.text).not.toContain(`href="/dashboard/projects/${project.id}"`);
    const next = /href="([^"]+)">Older »<\/a>/.exec(newest.text)?.[1]?.replaceAll("&amp;", "&") ?? "";
    expect((await request(next)).text).toContain(`href="/dashboard/projects/${project.id}"`);

    const bad = await request(dashboardPath(`/webhooks/${webhook.id}?status=bogus`));
    expect(bad.status).toBe(422);
    expect(bad.text).toContain("status");
    const tooLong = await request(`/dashboard?cursor=${"x".repeat(100)}`);
    expect(tooLong.status).toBe(422);
  });

  it("refuses cross-site form posts and posts without the form token", async () => {
    const webhook = await project.webhook({ url: receiver.url, event_types: ["csrf.*"] });
    const token = await csrfToken();
    const toggle = dashboardPath(`/webhooks/${webhook.id}/enabled`);
    const form = { csrf: token, enabled: "false", from: "webhook" };
    const attempts: PageOptions[] = [
      { form, headers: { origin: "http://evil.example" } },
      { form, headers: { origin: "http://127.0.0.1.evil.example" } },
      { form, headers: { origin: "null" } },
      { form, headers: { "sec-fetch-site": "cross-site" } },
      { form, headers: { "sec-fetch-site": "same-site" } },
      { form: { enabled: "false", from: "webhook" }, headers: {} },
      { form: { csrf: `${token}x`, enabled: "false", from: "webhook" }, headers: {} },
    ];
    for (const attempt of attempts) {
      const answer = await request(toggle, attempt);
      expect(answer.status).toBe(403);
      expect(answer.text).toContain("cross-site request refused");
    }
    // Without any Origin or Sec-Fetch-Site the browser gave no same-origin signal: refused too.
    const bare = await fetch(stack.apiUrl + toggle, {
      method: "POST",
      redirect: "manual",
      headers: { authorization: basic, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(form).toString(),
    });
    expect(bare.status).toBe(403);
    expect((await stack.db.webhook.findUniqueOrThrow({ where: { id: webhook.id } })).enabled).toBe(true);

    const sameOrigin = await request(toggle, { form, headers: { "sec-fetch-site": "same-origin" } });
    expect(sameOrigin.status).toBe(303);
    expect((await stack.db.webhook.findUniqueOrThrow({ where: { id: webhook.id } })).enabled).toBe(false);
  });

  it("actions: disable and enable, send a test event, replay — each redirects back with a message", async () => {
    const token = await csrfToken();
    const webhook = await project.webhook({ url: receiver.url, event_types: ["act.*"] });
    receiver.reply = () => ({ status: 500, body: "down" });
    await project.event("act.one");
    const [original] = await settled(webhook.id, 1);
    expect(original?.status).toBe("failed");
    const webhookPath = dashboardPath(`/webhooks/${webhook.id}`);
    const deliveryPath = `${webhookPath}/deliveries/${original?.id}`;

    /** Follows the redirect with the flash cookie, as a browser would, and returns the page. */
    async function follow(answer: Awaited<ReturnType<typeof request>>) {
      expect(answer.status).toBe(303);
      const cookie = answer.headers.get("set-cookie")?.split(";")[0] ?? "";
      expect(cookie).toMatch(/^hookrelay_flash=/);
      return request(answer.headers.get("location") ?? "", { headers: { cookie } });
    }

    const disabled = await request(`${webhookPath}/enabled`, {
      form: { csrf: token, enabled: "false", from: "project" },
    });
    expect(disabled.headers.get("location")).toBe(dashboardPath());
    expect((await follow(disabled)).text).toContain("Webhook disabled");
    expect(await stack.db.webhook.findUniqueOrThrow({ where: { id: webhook.id } })).toMatchObject({
      enabled: false,
      disabledReason: "manual",
    });
    const disabledPage = await request(webhookPath);
    expect(disabledPage.text).toContain('data-enabled="false"');
    expect(disabledPage.text).toContain("(manual)");

    // Replay is refused while the webhook is disabled: a message, not an error page.
    const refused = await request(`${deliveryPath}/replay`, { form: { csrf: token } });
    expect(refused.headers.get("location")).toBe(deliveryPath);
    const refusedPage = await follow(refused);
    expect(refusedPage.text).toContain('class="flash flash-error"');
    expect(refusedPage.text).toContain("the webhook is disabled");

    const enabled = await request(`${webhookPath}/enabled`, {
      form: { csrf: token, enabled: "true", from: "webhook" },
    });
    expect(enabled.headers.get("location")).toBe(webhookPath);
    expect((await follow(enabled)).text).toContain("Webhook enabled");
    expect((await stack.db.webhook.findUniqueOrThrow({ where: { id: webhook.id } })).enabled).toBe(true);

    receiver.reply = () => ({ status: 200, body: "back up" });
    const replayed = await request(`${deliveryPath}/replay`, { form: { csrf: token } });
    const replay = await eventually(() =>
      stack.db.delivery
        .findFirst({ where: { replayOfId: original?.id, status: "succeeded" } })
        .then((row) => row ?? undefined),
    );
    expect(replayed.headers.get("location")).toBe(`${webhookPath}/deliveries/${replay.id}`);
    const replayPage = await follow(replayed);
    expect(replayPage.text).toContain(`Replayed ${original?.id} as ${replay.id}.`);
    expect(replayPage.text).toContain(`href="${deliveryPath}"`);
    expect((await request(`${webhookPath}/deliveries/${replay.id}`)).text).toContain(
      'class="badge badge-green"',
    );

    const tested = await request(`${webhookPath}/test`, { form: { csrf: token, from: "webhook" } });
    const testedPage = await follow(tested);
    expect(testedPage.text).toMatch(/Test event delivered: 200 after \d+ ms \(dlv_/);
    const testDelivery = await stack.db.delivery.findFirstOrThrow({
      where: { webhookId: webhook.id, eventType: "webhook.test" },
    });
    expect(testDelivery.status).toBe("succeeded");
    expect(testedPage.text).toContain(`data-delivery-id="${testDelivery.id}"`);

    receiver.reply = () => ({ status: 418, body: "teapot" });
    const failedTest = await follow(
      await request(`${webhookPath}/test`, { form: { csrf: token, from: "project" } }),
    );
    expect(failedTest.text).toMatch(/class="flash flash-error"[^>]*>Test event failed: 418 after \d+ ms/);
    // The message shows once.
    expect((await request(dashboardPath())).text).not.toContain("Test event failed");

    const notFound = await request(dashboardPath("/webhooks/wh_nope/test"), { form: { csrf: token } });
    expect(notFound.status).toBe(404);
  });
});
