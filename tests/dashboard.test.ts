import { loadApiConfig } from "@hookrelay/api";
import { newId, SecretBox } from "@hookrelay/shared";
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
    // The Sources page is checked against made-up source rows: no capture may touch them.
    stack = await startStack({ RETRY_SCHEDULE: "100ms", RETRY_MAX_AGE: "150ms" }, { capture: false });
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

  /** Follows a 303 as a browser would, sending back every cookie it set; returns the page and those cookies. */
  async function followRedirect(answer: Awaited<ReturnType<typeof request>>) {
    expect(answer.status).toBe(303);
    const cookie = answer.headers
      .getSetCookie()
      .map((line) => line.split(";")[0])
      .join("; ");
    const page = await request(answer.headers.get("location") ?? "", { headers: { cookie } });
    return { ...page, cookie };
  }

  /** The webhook form's fields as the browser posts them (empty optional fields are sent empty). */
  function webhookForm(token: string, fields: Record<string, string>): Record<string, string> {
    return {
      csrf: token,
      url: "",
      name: "",
      description: "",
      event_types: "",
      headers: "",
      signature_header: "",
      signature_format: "sha256=hex",
      ...fields,
    };
  }

  /** The value of a form control, as the page carries it (HTML-escaped). */
  function controlValue(page: string, name: string): string | undefined {
    const input = new RegExp(`<input[^>]* name="${name}"[^>]* value="([^"]*)"`).exec(page);
    if (input) return input[1];
    return new RegExp(`<textarea[^>]* name="${name}"[^>]*>([^<]*)</textarea>`).exec(page)?.[1];
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
  it("creates a webhook from the project page's form and shows its secret once, never in a URL", async () => {
    const token = await csrfToken();
    const before = await request(dashboardPath());
    expect(before.text).toContain(`action="/dashboard/projects/${project.id}/webhooks"`);
    expect(before.text).toContain('name="event_types"');

    const created = await request(dashboardPath("/webhooks"), {
      form: webhookForm(token, {
        url: `${receiver.url}/from-form`,
        name: "form made",
        event_types: "order.*, invoice.paid\ndb.public.orders.insert",
        headers: "X-Tenant: acme\nAuthorization: Bearer tok_typed_in_form",
        signature_header: "X-Shop-Hmac",
        signature_format: "base64",
      }),
    });
    expect(created.status).toBe(303);
    const location = created.headers.get("location") ?? "";
    expect(location).toMatch(new RegExp(`^/dashboard/projects/${project.id}/webhooks/wh_[^/?]+$`));
    const webhookId = location.split("/").at(-1) ?? "";
    const row = await stack.db.webhook.findUniqueOrThrow({ where: { id: webhookId } });
    expect(row).toMatchObject({
      projectId: project.id,
      url: `${receiver.url}/from-form`,
      name: "form made",
      eventTypes: ["order.*", "invoice.paid", "db.public.orders.insert"],
      headers: { "X-Tenant": "acme", Authorization: "Bearer tok_typed_in_form" },
      signatureHeader: "X-Shop-Hmac",
      signatureFormat: "base64",
      enabled: true,
    });
    const secret = new SecretBox(loadApiConfig(stack.env).secretsKey).decrypt(row.secretCiphertext);
    expect(secret).toMatch(/^whsec_/);
    // Neither the redirect nor its cookies carry the secret in the clear.
    expect(location).not.toContain(secret);
    for (const line of created.headers.getSetCookie()) expect(line).not.toContain("whsec_");

    const shown = await followRedirect(created);
    expect(shown.status).toBe(200);
    expect(shown.text).toContain(`<pre class="secret" data-secret>${secret}</pre>`);
    expect(shown.text).toContain("it is not shown again");
    expect(shown.text).toContain("Webhook form made created.");
    expect(shown.text).toContain("X-Shop-Hmac: base64");
    // The page that showed it cleared the cookie: a reload (or another look) shows it no more.
    expect(
      shown.headers
        .getSetCookie()
        .some((line) => /^hookrelay_new_secret=;.*Expires=Thu, 01 Jan 1970/.test(line)),
    ).toBe(true);
    const reloaded = await request(location);
    expect(reloaded.status).toBe(200);
    expect(reloaded.text).not.toContain(secret);
    expect(reloaded.text).not.toContain("data-secret");
    // Another webhook's page never shows it, even with the cookie.
    const other = await project.webhook({ url: receiver.url, event_types: ["other.*"] });
    const elsewhere = await request(dashboardPath(`/webhooks/${other.id}`), {
      headers: { cookie: shown.cookie },
    });
    expect(elsewhere.text).not.toContain(secret);

    // A secret of one's own is used as given.
    const ownSecret = "my-own-receiver-secret-0123456789";
    const withOwn = await request(dashboardPath("/webhooks"), {
      form: webhookForm(token, { url: receiver.url, event_types: "own.*", secret: ownSecret }),
    });
    const ownId = withOwn.headers.get("location")?.split("/").at(-1) ?? "";
    const ownRow = await stack.db.webhook.findUniqueOrThrow({ where: { id: ownId } });
    expect(new SecretBox(loadApiConfig(stack.env).secretsKey).decrypt(ownRow.secretCiphertext)).toBe(
      ownSecret,
    );
    expect((await followRedirect(withOwn)).text).toContain(ownSecret);
  });

  it("answers a refused create with the form again (422): the reasons, what was typed, nothing created", async () => {
    const token = await csrfToken();
    const count = () => stack.db.webhook.count({ where: { projectId: project.id } });
    const before = await count();
    const typedSecret = "tooShortSecret1";
    const refused = await request(dashboardPath("/webhooks"), {
      form: webhookForm(token, {
        url: "ftp://files.example/in",
        name: "<script>alert('name')</script>",
        event_types: "order.*\nnot a type",
        headers: "X-Keep: <kept & shown>",
        secret: typedSecret,
        signature_header: "X-Kept-Sig",
        signature_format: "hex",
      }),
    });
    expect(refused.status).toBe(422);
    expect(refused.headers.get("content-type")).toMatch(/^text\/html/);
    const page = refused.text;
    expect(page).toContain("Nothing was saved");
    expect(page).toContain("must use http or https");
    expect(page).toContain("&quot;not a type&quot; must be an event type");
    expect(page).toContain("must be whsec_ followed by");
    // What was typed is kept (escaped), except the secret, which is never sent back.
    expect(controlValue(page, "url")).toBe("ftp://files.example/in");
    expect(controlValue(page, "name")).toBe("&lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt;");
    expect(controlValue(page, "event_types")).toBe("order.*\nnot a type");
    expect(controlValue(page, "headers")).toBe("X-Keep: &lt;kept &amp; shown&gt;");
    expect(controlValue(page, "signature_header")).toBe("X-Kept-Sig");
    expect(page).toMatch(/<option value="hex" selected>/);
    expect(page).not.toContain(typedSecret);
    expect(page).not.toContain("<script>alert");
    expect(page).toContain('class="field field-invalid" data-field="url"');

    for (const [fields, message] of [
      [
        { url: receiver.url, event_types: "a.*", headers: "no colon" },
        "line 1: expected &quot;Name: value&quot;",
      ],
      [
        { url: receiver.url, event_types: "a.*", headers: "Content-Type: text/plain" },
        "Content-Type is set by hookrelay",
      ],
      [{ url: receiver.url, event_types: " , " }, "enter at least one event type"],
      [{ url: receiver.url, event_types: "a.*", signature_format: "sha1" }, "signature_format"],
      [{ url: receiver.url, event_types: "a.*", signature_header: "X-Webhook-Id" }, "is a reserved header"],
      [{ url: "not a url", event_types: "a.*" }, "must be an absolute URL"],
      [{ url: "https://user:pw@example.com/", event_types: "a.*" }, "must not contain credentials"],
    ] as const) {
      const answer = await request(dashboardPath("/webhooks"), { form: webhookForm(token, fields) });
      expect([answer.status, answer.text.includes(message)]).toEqual([422, true]);
    }
    expect(await count()).toBe(before);

    // Past the per-project limit: the form again with the API's 409 message.
    const full = await createProject(stack, "Full");
    for (let n = 0; n < 25; n++) await full.webhook({ url: receiver.url, event_types: [`full.${n}`] });
    const overLimit = await request(`/dashboard/projects/${full.id}/webhooks`, {
      form: webhookForm(token, { url: receiver.url, event_types: "one.more" }),
    });
    expect(overLimit.status).toBe(409);
    expect(overLimit.text).toContain("a project may have at most 25 webhooks");
    expect(controlValue(overLimit.text, "event_types")).toBe("one.more");

    // An unknown project is a 404 page, not a 500 from a foreign key.
    const unknown = await request("/dashboard/projects/proj_nope/webhooks", {
      form: webhookForm(token, { url: receiver.url, event_types: "a.*" }),
    });
    expect(unknown.status).toBe(404);
  });

  it("edits a webhook: event types, headers and signature format change; masked header values are kept", async () => {
    const token = await csrfToken();
    const webhook = await project.webhook({
      url: receiver.url,
      name: "to edit",
      event_types: ["before.*"],
      headers: { Authorization: "Bearer keep-me-stored", "X-Old": "1" },
    });
    const webhookPath = dashboardPath(`/webhooks/${webhook.id}`);
    expect((await request(webhookPath)).text).toContain(`href="${webhookPath}/edit"`);

    const form = await request(`${webhookPath}/edit`);
    expect(form.status).toBe(200);
    expect(controlValue(form.text, "event_types")).toBe("before.*");
    // (jsonb keeps its own key order)
    expect(controlValue(form.text, "headers")?.split("\n").sort()).toEqual([
      "Authorization: ********",
      "X-Old: 1",
    ]);
    expect(controlValue(form.text, "signature_header")).toBe("X-Webhook-Signature");
    expect(form.text).toMatch(/<option value="sha256=hex" selected>/);
    expect(form.text).toMatch(/name="enabled" type="checkbox" value="true" checked/);
    expect(form.text).not.toContain("keep-me-stored");
    expect(form.text).not.toContain(webhook.secret);
    expect(form.text).not.toContain('name="secret"');

    const saved = await request(`${webhookPath}/edit`, {
      form: webhookForm(token, {
        url: `${receiver.url}/edited`,
        name: "edited",
        event_types: "after.one, after.*",
        headers: "Authorization: ********\nX-New: 2",
        signature_header: "X-Hex-Sig",
        signature_format: "hex",
        enabled: "true",
      }),
    });
    expect(saved.headers.get("location")).toBe(webhookPath);
    expect((await followRedirect(saved)).text).toContain("Webhook saved.");
    expect(await stack.db.webhook.findUniqueOrThrow({ where: { id: webhook.id } })).toMatchObject({
      url: `${receiver.url}/edited`,
      name: "edited",
      eventTypes: ["after.one", "after.*"],
      headers: { Authorization: "Bearer keep-me-stored", "X-New": "2" },
      signatureHeader: "X-Hex-Sig",
      signatureFormat: "hex",
      enabled: true,
    });

    // An unchecked box disables it; the default header name is stored as the default.
    const disabled = await request(`${webhookPath}/edit`, {
      form: webhookForm(token, {
        url: `${receiver.url}/edited`,
        event_types: "after.*",
        headers: "",
        signature_header: "",
        signature_format: "base64",
      }),
    });
    expect(disabled.status).toBe(303);
    expect(await stack.db.webhook.findUniqueOrThrow({ where: { id: webhook.id } })).toMatchObject({
      name: null,
      headers: {},
      signatureHeader: null,
      signatureFormat: "base64",
      enabled: false,
      disabledReason: "manual",
    });

    // A refused edit answers the edit form (422) with the reason and the input; nothing changes.
    const refused = await request(`${webhookPath}/edit`, {
      form: webhookForm(token, {
        url: receiver.url,
        event_types: "ok.*, bad type!",
        headers: "X-Typed: yes",
      }),
    });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain("&quot;bad type!&quot; must be an event type");
    expect(controlValue(refused.text, "event_types")).toBe("ok.*, bad type!");
    expect(controlValue(refused.text, "headers")).toBe("X-Typed: yes");
    expect((await stack.db.webhook.findUniqueOrThrow({ where: { id: webhook.id } })).eventTypes).toEqual([
      "after.*",
    ]);
    expect((await request(dashboardPath("/webhooks/wh_nope/edit"))).status).toBe(404);
  });

  it("deletes a webhook after a confirmation page", async () => {
    const token = await csrfToken();
    const webhook = await project.webhook({ url: receiver.url, name: "doomed", event_types: ["doom.*"] });
    const webhookPath = dashboardPath(`/webhooks/${webhook.id}`);
    expect((await request(webhookPath)).text).toContain(`href="${webhookPath}/delete"`);

    const confirm = await request(`${webhookPath}/delete`);
    expect(confirm.status).toBe(200);
    expect(confirm.text).toContain("Delete doomed?");
    expect(confirm.text).toContain("cannot be undone");
    expect(confirm.text).toContain(`action="${webhookPath}/delete"`);
    expect(confirm.text).toContain("Delete webhook permanently");
    // Looking at the confirmation deletes nothing.
    expect(await stack.db.webhook.count({ where: { id: webhook.id } })).toBe(1);

    const deleted = await request(`${webhookPath}/delete`, { form: { csrf: token } });
    expect(deleted.headers.get("location")).toBe(dashboardPath());
    const after = await followRedirect(deleted);
    expect(after.text).toContain("Webhook doomed deleted, with its delivery log.");
    expect(after.text).not.toContain(`data-webhook-id="${webhook.id}"`);
    expect(await stack.db.webhook.count({ where: { id: webhook.id } })).toBe(0);
    expect((await request(`${webhookPath}/delete`, { form: { csrf: token } })).status).toBe(404);
  });

  it("refuses the create, edit and delete forms without the form token or from another site", async () => {
    const token = await csrfToken();
    const webhook = await project.webhook({ url: receiver.url, event_types: ["guarded.*"] });
    const webhookPath = dashboardPath(`/webhooks/${webhook.id}`);
    const count = () => stack.db.webhook.count({ where: { projectId: project.id } });
    const before = await count();
    const posts: Array<[string, Record<string, string>]> = [
      [dashboardPath("/webhooks"), webhookForm(token, { url: receiver.url, event_types: "sneaky.*" })],
      [`${webhookPath}/edit`, webhookForm(token, { url: receiver.url, event_types: "sneaky.*" })],
      [`${webhookPath}/delete`, { csrf: token }],
    ];
    for (const [path, form] of posts) {
      const { csrf: _token, ...withoutToken } = form;
      const attempts: PageOptions[] = [
        { form: withoutToken },
        { form: { ...form, csrf: `${token}x` } },
        { form, headers: { origin: "http://evil.example" } },
        { form, headers: { "sec-fetch-site": "cross-site" } },
      ];
      for (const attempt of attempts) {
        const answer = await request(path, attempt);
        expect([path, answer.status]).toEqual([path, 403]);
        expect(answer.text).toContain("cross-site request refused");
      }
    }
    expect(await count()).toBe(before);
    expect((await stack.db.webhook.findUniqueOrThrow({ where: { id: webhook.id } })).eventTypes).toEqual([
      "guarded.*",
    ]);
  });

  it("escapes a <script> in a webhook's name on every page that shows it", async () => {
    const token = await csrfToken();
    const hostile = `<script>alert("wh")</script>`;
    const escaped = "&lt;script&gt;alert(&quot;wh&quot;)&lt;/script&gt;";
    const created = await request(dashboardPath("/webhooks"), {
      form: webhookForm(token, {
        url: receiver.url,
        name: hostile,
        event_types: "xss.*",
        headers: "X-Html: <b>",
      }),
    });
    const webhookPath = created.headers.get("location") ?? "";
    expect(
      (await stack.db.webhook.findUniqueOrThrow({ where: { id: webhookPath.split("/").at(-1) } })).name,
    ).toBe(hostile);
    for (const path of [dashboardPath(), webhookPath, `${webhookPath}/edit`, `${webhookPath}/delete`]) {
      const page = await request(path);
      expect([path, page.status]).toEqual([path, 200]);
      expect(page.text).toContain(escaped);
      expect(page.text).not.toContain("<script");
      expect(page.text).not.toContain("<b>");
    }
    // The flash after creating names it too, escaped.
    const flashed = await followRedirect(created);
    expect(flashed.text).toContain(`Webhook ${escaped} created.`);
    expect(flashed.text).not.toContain("<script");
  });

  it("lists a project's database sources with status, error and backlog, linked from the project page", async () => {
    const sourcesPath = dashboardPath("/sources");
    expect((await request(dashboardPath())).text).toContain(`href="${sourcesPath}"`);
    const empty = await request(sourcesPath);
    expect(empty.status).toBe(200);
    expect(empty.text).toContain("No database sources");

    const box = new SecretBox(loadApiConfig(stack.env).secretsKey);
    const now = new Date();
    const failing = await stack.db.source.create({
      data: {
        id: newId("source"),
        projectId: project.id,
        name: "shop <db>",
        databaseUrlCiphertext: box.encrypt("postgresql://capture:pw-never-shown@db.internal:5433/shop"),
        database: "db.internal:5433/shop",
        tables: [
          { schema: "public", table: "orders", events: ["INSERT", "UPDATE"], columns: ["status", "total"] },
          { schema: "billing", table: "invoices", events: ["DELETE"], columns: null },
        ],
        enabled: true,
        status: "error",
        lastError: `permission denied for table orders <img src=x onerror=alert(1)>`,
        pendingChanges: 42,
        oldestPendingAt: new Date("2026-11-23T10:00:00.000Z"),
        createdAt: now,
        updatedAt: now,
      },
    });
    const healthy = await stack.db.source.create({
      data: {
        id: newId("source"),
        projectId: project.id,
        name: "crm",
        databaseUrlCiphertext: "not-used-by-the-page",
        database: "crm.internal:5432/crm",
        tables: [
          { schema: "public", table: "contacts", events: ["INSERT", "UPDATE", "DELETE"], columns: null },
        ],
        enabled: false,
        status: "active",
        lastError: null,
        pendingChanges: 0,
        oldestPendingAt: null,
        createdAt: now,
        updatedAt: now,
      },
    });

    const page = await request(sourcesPath);
    expect(page.status).toBe(200);
    const rowOf = (id: string) =>
      page.text.slice(page.text.indexOf(`data-source-id="${id}"`)).split("</tr>")[0] ?? "";
    const failingRow = rowOf(failing.id);
    expect(failingRow).toContain("shop &lt;db&gt;");
    expect(failingRow).toContain("db.internal:5433/shop");
    expect(failingRow).toContain("public.orders");
    expect(failingRow).toContain("INSERT, UPDATE");
    expect(failingRow).toContain("status, total");
    expect(failingRow).toContain("billing.invoices");
    expect(failingRow).toContain("db.public.orders.*");
    expect(failingRow).toContain('data-status="error"');
    expect(failingRow).toContain(
      '<div class="source-error">permission denied for table orders &lt;img src=x onerror=alert(1)&gt;</div>',
    );
    expect(failingRow).toContain('data-pending-changes="42"');
    expect(failingRow).toContain("42 pending");
    expect(failingRow).toContain('datetime="2026-11-23T10:00:00.000Z"');
    expect(failingRow).toContain(`/v1/projects/${project.id}/sources/${failing.id}/install.sql`);
    const healthyRow = rowOf(healthy.id);
    expect(healthyRow).toContain("crm.internal:5432/crm");
    expect(healthyRow).toContain('data-status="active"');
    expect(healthyRow).toContain('data-enabled="false"');
    expect(healthyRow).toContain("0 pending");
    expect(healthyRow).not.toContain("source-error");
    expect(page.text).not.toContain("pw-never-shown");
    expect(page.text).not.toContain("<img");
    // The source's own project only.
    const other = await createProject(stack, "No sources here");
    expect((await request(`/dashboard/projects/${other.id}/sources`)).text).not.toContain(failing.id);
    expect((await request("/dashboard/projects/proj_nope/sources")).status).toBe(404);

    // The install SQL, behind the dashboard's login, as the admin API gives it.
    const sql = await request(`${sourcesPath}/${failing.id}/install.sql`);
    expect(sql.status).toBe(200);
    expect(sql.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(sql.text).toContain("CREATE SCHEMA IF NOT EXISTS hookrelay_capture");
    expect(sql.text).not.toContain("pw-never-shown");
    const viaApi = await fetch(
      `${stack.apiUrl}/v1/projects/${project.id}/sources/${failing.id}/install.sql`,
      {
        headers: { authorization: `Bearer ${ADMIN_KEY}` },
      },
    );
    expect(await viaApi.text()).toBe(sql.text);
    expect((await request(`${sourcesPath}/${failing.id}/install.sql`, { authorization: null })).status).toBe(
      401,
    );
  });
});
