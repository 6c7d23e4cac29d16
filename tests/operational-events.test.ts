import { createProject, type TestProject } from "./support/fixtures.js";
import { eventually, type ReceivedRequest, TestReceiver } from "./support/receiver.js";
import { createSourceDatabase, type SourceDatabase } from "./support/source-database.js";
import { ADMIN_KEY, type Stack, startStack } from "./support/stack.js";
import { startTcpProxy, type TcpProxy } from "./support/tcp-proxy.js";

// hookrelay's events about itself (SPEC "Operational events"): emitted into the project concerned through
// the normal pipeline, only to webhooks that list them, never to the webhook they are about, and never
// for an operational delivery that fails (no storms).

interface Envelope {
  event_id: string;
  event_type: string;
  data: Record<string, unknown>;
}

const CAPTURE_ENV = {
  CAPTURE_POLL_INTERVAL: "200ms",
  SOURCE_CONNECT_TIMEOUT: "3s",
  SOURCE_STATEMENT_TIMEOUT: "3s",
  SOURCE_BACKLOG_INTERVAL: "300ms",
};

const bodyOf = (request: ReceivedRequest): Envelope => JSON.parse(request.body.toString());
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("operational events", () => {
  let receiver: TestReceiver;
  const stacks: Stack[] = [];

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    receiver.reply = (request) => {
      if (request.url.startsWith("/fail")) return { status: 500, body: "down" };
      if (request.url.startsWith("/gone")) return { status: 410, body: "gone" };
      return { status: 200, body: "ok" };
    };
  });

  afterAll(async () => {
    for (const stack of stacks) await stack.stop();
    await receiver?.close();
  }, 60_000);

  const at = (path: string) => receiver.requests.filter((request) => request.url === path).map(bodyOf);
  /** The operational events a path received, each once (arrivals are at least once: a retry repeats one). */
  const operational = (path: string) => {
    const seen = new Map<string, Envelope>();
    for (const body of at(path)) if (body.event_type.startsWith("hookrelay.")) seen.set(body.event_id, body);
    return [...seen.values()];
  };

  async function stackWith(env: Record<string, string>) {
    const stack = await startStack(env);
    stacks.push(stack);
    return { stack, project: await createProject(stack) };
  }

  it("a 410 and exhausted retries each give one event of the right shape; none about itself, none for *, none from a failing operational delivery", async () => {
    const { stack, project } = await stackWith({ RETRY_SCHEDULE: "200ms", RETRY_MAX_AGE: "1s" });
    await project.webhook({ url: `${receiver.url}/watch-1`, event_types: ["hookrelay.*"] });
    await project.webhook({ url: `${receiver.url}/all-1`, event_types: ["*"] });
    // Fails everything, operational events included: its own failures must not come back to it, and the
    // failures of the operational deliveries it gets must not announce anything.
    const failing = await project.webhook({
      url: `${receiver.url}/fail-1`,
      event_types: ["order.*", "hookrelay.*"],
    });
    const gone = await project.webhook({ url: `${receiver.url}/gone-1`, event_types: ["order.*"] });

    const sent = await project.event("order.created", { id: 1 });
    expect(sent.deliveries).toBe(3);

    await eventually(async () => operational("/watch-1").length >= 2, 20_000);
    const byType = Object.fromEntries(operational("/watch-1").map((body) => [body.event_type, body.data]));
    expect(byType["hookrelay.webhook.disabled"]).toEqual({
      webhook_id: gone.id,
      url: `${receiver.url}/gone-1`,
      reason: "gone_410",
    });
    const failedDelivery = await stack.db.delivery.findFirstOrThrow({
      where: { webhookId: failing.id, eventType: "order.created" },
    });
    expect(byType["hookrelay.delivery.failed"]).toEqual({
      delivery_id: failedDelivery.id,
      webhook_id: failing.id,
      event_id: sent.event_id,
      event_type: "order.created",
      attempts: failedDelivery.attemptCount,
      last_status_code: 500,
      last_error: null,
    });
    expect(failedDelivery.attemptCount).toBeGreaterThanOrEqual(2);

    // The failing webhook got the event about the gone one (and failed it for good), never its own.
    await eventually(async () => {
      const deliveries = await stack.db.delivery.findMany({
        where: { webhookId: failing.id, eventType: { startsWith: "hookrelay." } },
      });
      return deliveries.length === 1 && deliveries[0]?.status === "failed";
    }, 20_000);
    expect(operational("/fail-1").map((body) => body.data.webhook_id)).not.toContain(failing.id);
    // Past its failure, a relay tick and the watcher's delivery: still exactly the two, and nothing waits.
    await sleep(2_500);
    expect(
      operational("/watch-1")
        .map((body) => body.event_type)
        .sort(),
    ).toEqual(["hookrelay.delivery.failed", "hookrelay.webhook.disabled"]);
    expect(await stack.db.operationalEvent.count()).toBe(0);
    expect(operational("/all-1")).toEqual([]);
    // Signed and logged like any event: the watcher's deliveries are in its log, succeeded.
    const watcherDeliveries = await stack.db.delivery.findMany({
      where: { eventType: { startsWith: "hookrelay." }, status: "succeeded" },
    });
    expect(watcherDeliveries).toHaveLength(2);
    expect(receiver.requests.find((r) => r.url === "/watch-1")?.headers["webhook-signature"]).toMatch(/^v1,/);
  });

  it("auto-disable and a manual disable each give one event; producers cannot post the reserved types", async () => {
    const { project } = await stackWith({ RETRY_SCHEDULE: "200ms", AUTO_DISABLE_AFTER: "600ms" });
    await project.webhook({ url: `${receiver.url}/watch-2`, event_types: ["hookrelay.webhook.disabled"] });
    const failing = await project.webhook({ url: `${receiver.url}/fail-2`, event_types: ["order.*"] });
    const manual = await project.webhook({ url: `${receiver.url}/manual-2`, event_types: ["order.*"] });
    await project.event("order.created", { id: 2 });
    await project.event("order.created", { id: 3 });

    const patched = await stackCall(project, "PATCH", `/webhooks/${manual.id}`, { enabled: false });
    expect(patched.status).toBe(200);
    // Disabling what is already disabled announces nothing more.
    await stackCall(project, "PATCH", `/webhooks/${manual.id}`, { enabled: false });

    await eventually(async () => operational("/watch-2").length >= 2, 20_000);
    await sleep(1_500);
    const events = operational("/watch-2").map((body) => body.data);
    expect(events).toHaveLength(2);
    expect(events).toEqual(
      expect.arrayContaining([
        { webhook_id: failing.id, url: `${receiver.url}/fail-2`, reason: "auto_failing" },
        { webhook_id: manual.id, url: `${receiver.url}/manual-2`, reason: "manual" },
      ]),
    );

    const reserved = await stackCall(project, "POST", "/events", {
      event_type: "hookrelay.webhook.disabled",
      data: {},
    });
    expect([reserved.status, reserved.body.error.message]).toEqual([422, expect.stringMatching(/reserved/)]);
    const reservedKey = await stackCall(project, "POST", "/events", {
      event_type: "order.created",
      data: {},
      event_id: "hookrelay:webhook.disabled:x",
    });
    expect(reservedKey.status).toBe(422);
  });

  it("a source outage gives one hookrelay.source.error and its end one hookrelay.source.recovered", async () => {
    const { stack, project } = await stackWith(CAPTURE_ENV);
    const source: SourceDatabase = await createSourceDatabase();
    const proxy: TcpProxy = await startTcpProxy(Number(new URL(source.url).port || 5432));
    try {
      await source.query("CREATE TABLE orders (id bigint PRIMARY KEY)");
      await project.webhook({ url: `${receiver.url}/watch-3`, event_types: ["hookrelay.source.*"] });
      const url = new URL(source.url);
      url.port = String(proxy.port);
      const created = await stack.call("POST", `/v1/projects/${project.id}/sources`, {
        key: ADMIN_KEY,
        body: { name: "shop", database_url: url.toString(), tables: [{ table: "orders" }] },
      });
      expect(created.status).toBe(201);
      const sourceId: string = created.body.id;
      const status = async () =>
        (await stack.call("GET", `/v1/projects/${project.id}/sources/${sourceId}`, { key: ADMIN_KEY })).body
          .status;
      await eventually(async () => (await status()) === "active", 10_000);

      proxy.mode("refuse");
      await eventually(async () => (await status()) === "error", 10_000);
      await eventually(async () => operational("/watch-3").length >= 1, 10_000);
      await sleep(1_000); // more failed polls while down: still one event
      proxy.mode("forward");
      await eventually(async () => (await status()) === "active", 10_000);
      await eventually(async () => operational("/watch-3").length >= 2, 10_000);
      await sleep(1_000);

      const events = operational("/watch-3");
      expect(events.map((body) => body.event_type)).toEqual([
        "hookrelay.source.error",
        "hookrelay.source.recovered",
      ]);
      expect(events[0]?.data).toEqual({ source_id: sourceId, error: expect.any(String) });
      expect(String(events[0]?.data.error)).not.toContain(url.password || "\u0000");
      expect(events[1]?.data).toEqual({ source_id: sourceId });
    } finally {
      await proxy.close();
      await source.drop().catch(() => undefined);
    }
  });

  function stackCall(project: TestProject, method: string, path: string, body: unknown) {
    const stack = stacks.at(-1) as Stack;
    return stack.call(method, project.path(path), { key: project.key, body });
  }
});
