import { createHmac } from "node:crypto";
import { newId, verifyWebhook } from "@hookrelay/shared";
import { type BrowserSession, openBrowser, paintedBackground, screenshot } from "./support/browser.js";
import { createProject } from "./support/fixtures.js";
import { eventually, TestReceiver } from "./support/receiver.js";
import { ADMIN_KEY, type Stack, startStack } from "./support/stack.js";

// The dashboard in a real browser (Debian's Chromium through playwright-core): log in with basic auth, see
// a failing delivery in red, replay it once the receiver is back, see the new attempt in green, and turn
// the webhook off and on; create a webhook with the form and follow its first delivery; read the sources.
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
});
