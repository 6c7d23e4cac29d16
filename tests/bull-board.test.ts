import { createProject } from "./support/fixtures.js";
import { ADMIN_KEY, type Stack, startStack } from "./support/stack.js";

const BOARD = "/admin/queues";
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

// Bull Board on the api: every queue of the service, behind the admin key (bearer, or basic auth so a
// browser can log in), its page and assets served by the api itself.
describe("Bull Board at /admin/queues", () => {
  let stack: Stack;

  beforeAll(async () => {
    // No dispatcher: a job stays waiting in the queue, so the board's counts can be checked.
    stack = await startStack({}, { dispatcher: false });
  });

  afterAll(async () => {
    await stack?.stop();
  }, 30_000);

  const get = (path: string, authorization?: string) =>
    fetch(stack.apiUrl + path, { headers: authorization ? { authorization } : {} });

  it.each([
    ["no credentials", undefined],
    ["a wrong bearer key", "Bearer not-the-admin-key"],
    ["basic auth with a wrong password", basic("admin", "not-the-admin-key")],
    ["basic auth with the key as user name", basic(ADMIN_KEY, "")],
    ["the key without a scheme", ADMIN_KEY],
  ])("answers 401 and asks the browser for basic auth with %s", async (_name, authorization) => {
    for (const path of [BOARD, `${BOARD}/api/queues`, `${BOARD}/static/images/logo.svg`]) {
      const response = await get(path, authorization);
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toMatch(/^Basic realm="hookrelay"/);
      const body: any = await response.json();
      expect(body.error.code).toBe("unauthorized");
    }
  });

  it("serves its page with the admin key as bearer and as the basic-auth password (any user)", async () => {
    for (const authorization of [`Bearer ${ADMIN_KEY}`, basic("anyone", ADMIN_KEY), basic("", ADMIN_KEY)]) {
      const response = await get(BOARD, authorization);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^text\/html/);
      const html = await response.text();
      expect(html).toContain(`<base href="${BOARD}/"`);
      expect(html).toContain("<title>hookrelay queues</title>");
    }
    // Deep links (a queue's page) are the same page, so a reload works.
    const deep = await get(`${BOARD}/queue/deliveries`, basic("anyone", ADMIN_KEY));
    expect(deep.status).toBe(200);
    expect(await deep.text()).toContain(`<base href="${BOARD}/"`);
  });

  it("serves the page's own scripts and styles, and forbids loading anything from elsewhere", async () => {
    const login = basic("operator", ADMIN_KEY);
    const page = await get(BOARD, login);
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'self'");
    expect(csp).not.toMatch(/https?:/);
    const html = await page.text();
    const scripts = [...html.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)].map((match) => match[1] ?? "");
    const styles = [...html.matchAll(/<link[^>]*href="(static\/[^"]+\.css)"/g)].map(
      (match) => match[1] ?? "",
    );
    expect(scripts.length).toBeGreaterThan(0);
    expect(styles.length).toBeGreaterThan(0);
    // Every script is relative to <base href>: served by the api, none from a CDN.
    expect(scripts.every((src) => src.startsWith("static/"))).toBe(true);

    for (const [asset, type] of [
      [scripts[0], /javascript/],
      [styles[0], /text\/css/],
    ] as const) {
      const url = `${BOARD}/${asset}`;
      const served = await get(url, login);
      expect(served.status).toBe(200);
      expect(served.headers.get("content-type")).toMatch(type);
      expect((await served.text()).length).toBeGreaterThan(100);
      expect((await get(url)).status).toBe(401);
    }
  });

  it("lists every queue of the service, read under the configured QUEUE_PREFIX", async () => {
    const project = await createProject(stack);
    await project.webhook({ url: "http://127.0.0.1:9/hooks", event_types: ["*"] });
    await project.event("order.paid");

    const response = await get(`${BOARD}/api/queues`, `Bearer ${ADMIN_KEY}`);
    expect(response.status).toBe(200);
    const body: any = await response.json();
    const names = body.queues.map((queue: { name: string }) => queue.name);
    expect([...names].sort()).toEqual(["deliveries", "maintenance"]);
    // The delivery job sits in the api's queue (no dispatcher runs): the board reads the right keys.
    const deliveries = body.queues.find((queue: { name: string }) => queue.name === "deliveries");
    expect(deliveries.counts.waiting).toBe(1);
  });
});
