import { createHmac } from "node:crypto";
import path from "node:path";
import { verifyWebhook } from "@hookrelay/client";
import { newId } from "@hookrelay/shared";
import {
  ARTIFACTS_DIR,
  type BrowserSession,
  openBrowser,
  paintedBackground,
  screenshot,
} from "./support/browser.js";
import { insertDeliveryHistory, type PastDelivery } from "./support/delivery-history.js";
import { createProject } from "./support/fixtures.js";
import { eventually, TestReceiver } from "./support/receiver.js";
import { ADMIN_KEY, type Stack, startStack } from "./support/stack.js";

// The dashboard in a real browser (Debian's Chromium through playwright-core): log in with basic auth, see
// a failing delivery in red, replay it once the receiver is back, see the new attempt in green, and turn
// the webhook off and on; create a webhook with the form and follow its first delivery; read the sources;
// look at the overview's and a webhook's charts after real traffic.

const MINUTE = 60_000;

/**
 * Made-up past deliveries, one every `everyMinutes` from `fromAgo` to 2 minutes ago (ms before `now`), a few
 * failing and more during the bad spell, for the charts to have a shape beyond the test's own traffic.
 */
function pastTraffic(
  now: number,
  { fromAgo, everyMinutes, badSpell }: { fromAgo: number; everyMinutes: number; badSpell: [number, number] },
): PastDelivery[] {
  let seed = 7;
  const random = () => {
    seed = (seed * 16_807) % 2_147_483_647;
    return seed / 2_147_483_647;
  };
  const deliveries: PastDelivery[] = [];
  for (let at = now - fromAgo; at < now - 2 * MINUTE; at += everyMinutes * MINUTE) {
    const bad = now - at < badSpell[0] && now - at > badSpell[1];
    const latencyMs = Math.round(30 + random() * 120 + (bad ? 500 * random() : 0));
    if (random() >= (bad ? 0.5 : 0.06)) {
      deliveries.push({ status: "succeeded", attempts: [{ at: new Date(at), statusCode: 200, latencyMs }] });
    } else if (random() < 0.6) {
      deliveries.push({
        status: "succeeded",
        attempts: [
          { at: new Date(at), statusCode: 503, latencyMs },
          { at: new Date(at + 20_000), statusCode: 200, latencyMs: Math.round(latencyMs / 2) },
        ],
      });
    } else {
      deliveries.push({
        status: "failed",
        attempts: [{ at: new Date(at), statusCode: null, latencyMs: 2_000 }],
      });
    }
  }
  return deliveries;
}

describe("dashboard in Chromium", () => {
  let stack: Stack;
  let receiver: TestReceiver;
  let browser: BrowserSession;

  beforeAll(async () => {
    // The Sources page is checked against a made-up source row: no capture may touch it.
    stack = await startStack({ RETRY_SCHEDULE: "100ms", RETRY_MAX_AGE: "150ms" }, { capture: false });
    receiver = await TestReceiver.start();
    browser = await openBrowser({
      baseURL: stack.apiUrl,
      httpCredentials: { username: "admin", password: ADMIN_KEY },
    });
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await receiver?.close();
  }, 60_000);

  it("shows a failing delivery in red, replays it to a green attempt, and toggles the webhook", async () => {
    const { page } = browser;
    const project = await createProject(stack, "Browser shop");
    const webhook = await project.webhook({ url: receiver.url, name: "orders", event_types: ["order.*"] });
    receiver.reply = () => ({ status: 500, body: "upstream exploded <b>not bold</b>" });
    const event = await project.event("order.paid", { order_id: "ord_1" });
    const failed = await eventually(async () => {
      const row = await stack.db.delivery.findFirst({ where: { eventId: event.event_id, status: "failed" } });
      return row ?? undefined;
    });

    // Log in (basic auth) and walk from the project list to the webhook's delivery log.
    const first = await page.goto("/dashboard");
    expect(first?.status()).toBe(200);
    await page.getByRole("link", { name: "Browser shop" }).click();
    expect(await page.locator("h1").textContent()).toBe("Browser shop");
    await page.getByRole("link", { name: "orders" }).click();
    expect(page.url()).toBe(`${stack.apiUrl}/dashboard/projects/${project.id}/webhooks/${webhook.id}`);

    const failedBadge = page.locator(`tr[data-delivery-id="${failed.id}"] .badge`);
    expect(await failedBadge.textContent()).toBe("500");
    expect(await failedBadge.getAttribute("data-color")).toBe("red");
    // The stylesheet loaded under the CSP: the badge is actually painted red.
    expect(await paintedBackground(failedBadge)).toBe("rgb(253, 220, 220)");
    await screenshot(page, "dashboard-failing-delivery");

    // The delivery's attempts show the receiver's body as text.
    await page.getByRole("link", { name: failed.id }).click();
    expect(await page.locator("pre.response-body").first().textContent()).toBe(
      "upstream exploded <b>not bold</b>",
    );
    expect(await page.locator("pre.response-body b").count()).toBe(0);

    // The receiver recovers; replay, and the replay's attempt appears in green.
    receiver.reply = () => ({ status: 200, body: "thanks" });
    await page.getByRole("button", { name: "Replay" }).click();
    await page.locator(".flash-ok").waitFor();
    expect(await page.locator(".flash-ok").textContent()).toMatch(
      new RegExp(`^Replayed ${failed.id} as dlv_`),
    );
    const replayId = page.url().split("/").at(-1) ?? "";
    expect(replayId).not.toBe(failed.id);
    const greenAttempt = page.locator('table.attempts tr[data-attempt-number="1"] .badge');
    for (let tries = 0; tries < 50 && (await greenAttempt.count()) === 0; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      await page.reload();
    }
    expect(await greenAttempt.textContent()).toBe("200");
    expect(await greenAttempt.getAttribute("data-color")).toBe("green");
    expect(await page.locator("pre.response-body").textContent()).toBe("thanks");
    expect(await page.getByRole("link", { name: failed.id }).count()).toBe(1); // "Replay of"
    await screenshot(page, "dashboard-replayed-delivery");

    // Back in the log, the replay sits on top in green, the original still red.
    await page.getByRole("link", { name: "orders" }).click();
    const rows = page.locator("table.deliveries tbody tr");
    expect(await rows.first().getAttribute("data-delivery-id")).toBe(replayId);
    expect(await rows.first().locator(".badge").getAttribute("data-color")).toBe("green");
    expect(await page.locator(`tr[data-delivery-id="${failed.id}"] .badge`).getAttribute("data-color")).toBe(
      "red",
    );
    await screenshot(page, "dashboard-delivery-log");

    // Off…
    await page.getByRole("button", { name: "Disable" }).click();
    await page.locator(".flash-ok").waitFor();
    expect(await page.locator(".flash-ok").textContent()).toContain("Webhook disabled");
    expect(await page.locator("dl.facts [data-enabled]").textContent()).toBe("disabled");
    expect(await page.getByRole("button", { name: "Enable" }).count()).toBe(1);
    expect((await stack.db.webhook.findUniqueOrThrow({ where: { id: webhook.id } })).enabled).toBe(false);
    await screenshot(page, "dashboard-webhook-disabled");

    // …and on again.
    await page.getByRole("button", { name: "Enable" }).click();
    await page.locator(".flash-ok").waitFor();
    expect(await page.locator(".flash-ok").textContent()).toContain("Webhook enabled");
    expect(await page.locator("dl.facts [data-enabled]").textContent()).toBe("enabled");
    expect(await page.getByRole("button", { name: "Disable" }).count()).toBe(1);
    expect((await stack.db.webhook.findUniqueOrThrow({ where: { id: webhook.id } })).enabled).toBe(true);

    // No script errors and no CSP violations on any page of the walk.
    expect(browser.problems).toEqual([]);
  }, 30_000);
  it("creates a webhook with the form, shows its secret once, and logs its first delivery", async () => {
    const { page } = browser;
    const project = await createProject(stack, "Form shop");
    receiver.reply = () => ({ status: 200, body: "received" });
    const receivedBefore = receiver.requests.length;

    await page.goto(`/dashboard/projects/${project.id}`);
    const form = page.locator("form.webhook-form");
    // A refused form comes back with the reason and what was typed.
    await form.getByLabel("URL", { exact: true }).fill(`${receiver.url}/from-browser`);
    await form.getByLabel("Name", { exact: true }).fill("checkout");
    await form.getByLabel("Event types").fill("order.*\nnot valid!");
    await form.getByLabel("Custom headers").fill("X-Tenant: browser-shop");
    await form.getByLabel("Signature format").selectOption("hex");
    await form.getByRole("button", { name: "Create webhook" }).click();
    await page.locator(".form-errors").waitFor();
    expect(await page.locator('[data-field="event_types"] .field-error').textContent()).toContain(
      '"not valid!" must be an event type',
    );
    expect(await form.getByLabel("Custom headers").inputValue()).toBe("X-Tenant: browser-shop");
    expect(await form.getByLabel("Signature format").inputValue()).toBe("hex");
    await screenshot(page, "dashboard-create-webhook-refused");

    await form.getByLabel("Event types").fill("order.*, invoice.paid");
    await form.getByRole("button", { name: "Create webhook" }).click();
    await page.locator("pre.secret").waitFor();
    expect(page.url()).toMatch(new RegExp(`/dashboard/projects/${project.id}/webhooks/wh_[^/?]+$`));
    const webhookId = page.url().split("/").at(-1) ?? "";
    const secret = (await page.locator("pre.secret").textContent()) ?? "";
    expect(secret).toMatch(/^whsec_/);
    expect(await page.locator(".flash-ok").textContent()).toBe("Webhook checkout created.");
    await screenshot(page, "dashboard-new-webhook-secret");
    // Shown once: a reload no longer has it.
    await page.reload();
    expect(await page.locator("h1").textContent()).toBe("checkout");
    expect(await page.locator("pre.secret").count()).toBe(0);
    expect(await page.content()).not.toContain(secret);

    // An event through the REST API reaches the receiver, signed with the secret the page showed.
    const event = await project.event("order.created", { order_id: "ord_browser" });
    const [received] = (await receiver.waitForRequests(receivedBefore + 1)).slice(receivedBefore);
    expect(received?.url).toBe("/from-browser");
    expect(received?.headers["x-tenant"]).toBe("browser-shop");
    expect(received?.headers["webhook-id"]).toBe(event.event_id);
    expect(() => verifyWebhook(received?.body ?? "", received?.headers ?? {}, secret)).not.toThrow();
    expect(received?.headers["x-webhook-signature"]).toBe(
      createHmac("sha256", secret)
        .update(received?.body ?? "")
        .digest("hex"),
    );

    // …and its first delivery shows in the webhook's log, green, with the receiver's answer.
    const delivery = await eventually(async () => {
      const row = await stack.db.delivery.findFirst({ where: { webhookId, status: "succeeded" } });
      return row ?? undefined;
    });
    await page.reload();
    const row = page.locator(`table.deliveries tr[data-delivery-id="${delivery.id}"]`);
    expect(await row.locator(".badge").textContent()).toBe("200");
    expect(await row.locator(".badge").getAttribute("data-color")).toBe("green");
    expect(await row.locator("td.mono").textContent()).toBe("order.created");
    await row.getByRole("link", { name: delivery.id }).click();
    expect(await page.locator("pre.response-body").textContent()).toBe("received");
    await screenshot(page, "dashboard-form-webhook-delivery");

    // Edit it in the browser: the new event types are stored.
    await page.goto(`/dashboard/projects/${project.id}/webhooks/${webhookId}`);
    await page.getByRole("link", { name: "Edit" }).click();
    expect(await page.locator("form.webhook-form").getByLabel("Custom headers").inputValue()).toBe(
      "X-Tenant: browser-shop",
    );
    await screenshot(page, "dashboard-edit-webhook");
    await page.locator("form.webhook-form").getByLabel("Event types").fill("order.*\nshipment.*");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.locator(".flash-ok").waitFor();
    expect(await page.locator(".flash-ok").textContent()).toBe("Webhook saved.");
    expect((await stack.db.webhook.findUniqueOrThrow({ where: { id: webhookId } })).eventTypes).toEqual([
      "order.*",
      "shipment.*",
    ]);

    // A source in error shows its error in red on the Sources page.
    await stack.db.source.create({
      data: {
        id: newId("source"),
        projectId: project.id,
        name: "shop database",
        databaseUrlCiphertext: "unused",
        database: "db.internal:5432/shop",
        tables: [{ schema: "public", table: "orders", events: ["INSERT", "UPDATE"], columns: null }],
        status: "error",
        lastError: "connection refused (db.internal:5432)",
        pendingChanges: 7,
        oldestPendingAt: new Date(),
        updatedAt: new Date(),
      },
    });
    await page.goto(`/dashboard/projects/${project.id}`);
    await page.getByRole("link", { name: "Database sources" }).click();
    const error = page.locator("table.sources .source-error");
    expect(await error.textContent()).toBe("connection refused (db.internal:5432)");
    expect(
      await error.evaluate(
        (element) =>
          (globalThis as unknown as { getComputedStyle: (e: unknown) => { color: string } }).getComputedStyle(
            element,
          ).color,
      ),
    ).toBe("rgb(161, 22, 22)");
    await screenshot(page, "dashboard-sources");

    // Delete it, through the confirmation page.
    await page.goto(`/dashboard/projects/${project.id}/webhooks/${webhookId}`);
    await page.getByRole("link", { name: "Delete…" }).click();
    await page.getByRole("button", { name: "Delete webhook permanently" }).click();
    await page.locator(".flash-ok").waitFor();
    expect(await page.locator(".flash-ok").textContent()).toBe(
      "Webhook checkout deleted, with its delivery log.",
    );
    expect(await stack.db.webhook.count({ where: { id: webhookId } })).toBe(0);

    // No script errors and no CSP violations; the one expected console line is the refused form's 422.
    expect(browser.problems).toEqual([
      "Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)",
    ]);
  }, 30_000);

  it("charts real traffic on the overview and on a webhook's page, under the CSP", async () => {
    const { page, context } = browser;
    const problemsBefore = browser.problems.length;
    const cspViolations = () =>
      page.evaluate(() => (globalThis as unknown as { cspViolations?: string[] }).cspViolations);
    // CSP violations as the page sees them (Playwright's init script is not subject to the page's CSP).
    await context.addInitScript({
      content: `globalThis.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  globalThis.cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});`,
    });
    const project = await createProject(stack, "Charts shop");
    const payments = await project.webhook({
      url: `${receiver.url}/payments`,
      name: "payments",
      event_types: ["payment.*"],
    });
    const inventory = await project.webhook({
      url: `${receiver.url}/inventory`,
      name: "inventory",
      event_types: ["payment.*"],
    });
    const shipping = await project.webhook({
      url: `${receiver.url}/shipping`,
      name: "shipping",
      event_types: ["shipment.*"],
    });
    // The past made up (payments' last day, a busier last hour of shipping), then real deliveries to the
    // receiver: payments answers 200 but every third request 500 (retried once, 100 ms later, then given
    // up), inventory always 503.
    const now = Date.now();
    await insertDeliveryHistory(stack.db, {
      projectId: project.id,
      webhookId: payments.id,
      deliveries: pastTraffic(now, {
        fromAgo: 24 * 60 * MINUTE,
        everyMinutes: 2,
        badSpell: [9 * 60 * MINUTE, 6 * 60 * MINUTE],
      }),
    });
    await insertDeliveryHistory(stack.db, {
      projectId: project.id,
      webhookId: shipping.id,
      deliveries: pastTraffic(now, {
        fromAgo: 60 * MINUTE,
        everyMinutes: 0.25,
        badSpell: [30 * MINUTE, 22 * MINUTE],
      }),
    });
    receiver.reply = (request, index) => {
      if (request.url.startsWith("/inventory")) return { status: 503, body: "down for maintenance" };
      return index % 3 === 0
        ? { status: 500, body: "try again", delayMs: 120 }
        : { status: 200, body: "ok", delayMs: 10 + ((index * 37) % 90) };
    };
    const events = 24;
    for (let n = 0; n < events; n++) await project.event("payment.captured", { payment_id: `pay_${n}` });
    await eventually(async () => {
      const pending = await stack.db.delivery.count({
        where: { webhookId: { in: [payments.id, inventory.id] }, status: "pending" },
      });
      const done = await stack.db.delivery.count({ where: { webhookId: inventory.id, status: "failed" } });
      return pending === 0 && done === events;
    }, 30_000);
    const realAttempts = await stack.db.attempt.count({
      where: { delivery: { webhookId: payments.id }, createdAt: { gte: new Date(Date.now() - 60_000) } },
    });
    expect(realAttempts).toBeGreaterThanOrEqual(events);

    // The overview, from the header's link.
    await page.goto(`/dashboard/projects/${project.id}`);
    await page.getByRole("link", { name: "Overview" }).click();
    expect(page.url()).toBe(`${stack.apiUrl}/dashboard/overview`);
    expect(await page.locator("h1").textContent()).toBe("Overview");
    const minutes = page.locator("#attempts-per-minute g.bucket");
    expect(await minutes.count()).toBe(60);
    // The chart is laid out by the stylesheet (not at its 600-unit intrinsic width) and painted.
    const box = await page.locator("svg#attempts-per-minute").boundingBox();
    expect(box?.width).toBeGreaterThan(500);
    expect(await page.locator('#attempts-per-minute rect[data-series="failed"]').count()).toBeGreaterThan(0);
    expect(await page.locator('#attempts-per-minute rect[data-series="succeeded"]').count()).toBeGreaterThan(
      30,
    );
    expect(await page.locator("#latency-per-minute path").count()).toBe(2);
    expect(await page.locator(`table.failing-webhooks tr[data-webhook-id="${inventory.id}"]`).count()).toBe(
      1,
    );
    expect(await page.locator("g.bar-row").count()).toBeGreaterThanOrEqual(2); // deliveries, maintenance
    expect(await cspViolations()).toEqual([]);
    await screenshot(page, "dashboard-overview");

    // The failing webhook's link leads to its page; the payments webhook's page charts its day.
    await page.getByRole("link", { name: "inventory" }).click();
    expect(page.url()).toBe(`${stack.apiUrl}/dashboard/projects/${project.id}/webhooks/${inventory.id}`);
    expect(await page.locator('#webhook-activity rect[data-series="failed"]').count()).toBe(1);
    await page.goto(`/dashboard/projects/${project.id}`);
    await page.getByRole("link", { name: "payments" }).click();
    const hours = page.locator("#webhook-activity g.bucket");
    expect(await hours.count()).toBe(24);
    const totals = await hours.evaluateAll((groups) =>
      groups.map((group) => Number((group as unknown as { dataset: { total: string } }).dataset.total)),
    );
    expect(totals.every((total) => total > 0)).toBe(true);
    expect(totals.at(-1)).toBeGreaterThanOrEqual(realAttempts);
    expect(await page.locator("#webhook-activity g.line").count()).toBe(2);
    await screenshot(page, "dashboard-webhook-page");
    const chart = path.join(ARTIFACTS_DIR, "dashboard-webhook-chart.png");
    // The page down to the end of its chart (the delivery log below is long).
    const section = await page.locator('section[aria-labelledby="activity-heading"]').boundingBox();
    const height = Math.ceil((section?.y ?? 0) + (section?.height ?? 0) + 24);
    await page.screenshot({ path: chart, fullPage: true, clip: { x: 0, y: 0, width: 1280, height } });
    process.stdout.write(`screenshot: ${chart}\n`);

    // Nothing was refused by the CSP (the listener ran: the list exists) and nothing went to the console.
    expect(await cspViolations()).toEqual([]);
    expect(browser.problems.slice(problemsBefore)).toEqual([]);
  }, 60_000);
});
