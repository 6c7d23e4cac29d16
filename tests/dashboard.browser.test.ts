import { type BrowserSession, openBrowser, paintedBackground, screenshot } from "./support/browser.js";
import { createProject } from "./support/fixtures.js";
import { eventually, TestReceiver } from "./support/receiver.js";
import { ADMIN_KEY, type Stack, startStack } from "./support/stack.js";

// The dashboard in a real browser (Debian's Chromium through playwright-core): log in with basic auth, see
// a failing delivery in red, replay it once the receiver is back, see the new attempt in green, and turn
// the webhook off and on.
describe("dashboard in Chromium", () => {
  let stack: Stack;
  let receiver: TestReceiver;
  let browser: BrowserSession;

  beforeAll(async () => {
    stack = await startStack({ RETRY_SCHEDULE: "100ms", RETRY_MAX_AGE: "150ms" });
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
});
