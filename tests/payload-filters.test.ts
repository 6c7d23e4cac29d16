import { ProjectLookups } from "@hookrelay/ingest";
import { createLogger } from "@hookrelay/shared";
import { createProject, type TestProject } from "./support/fixtures.js";
import { eventually, TestReceiver } from "./support/receiver.js";
import { type Stack, startStack } from "./support/stack.js";

// A webhook's payload filter, evaluated at fan-out (SPEC "Payload filters"): an event it refuses creates no
// delivery for that webhook; the others are delivered as usual.
describe("payload filters", () => {
  let stack: Stack;
  let receiver: TestReceiver;
  let project: TestProject;

  beforeAll(async () => {
    stack = await startStack();
    receiver = await TestReceiver.start();
    project = await createProject(stack);
  });

  afterAll(async () => {
    await stack?.stop();
    await receiver?.close();
  });

  const paths = () => receiver.requests.map((request) => request.url).sort();

  it("delivers to each webhook only the events its filter accepts", async () => {
    const big = await project.webhook({
      url: `${receiver.url}/big`,
      event_types: ["order.*"],
      filter: { "data.amount": { $gte: 100 }, event_type: { $ne: "order.refunded" } },
    });
    expect(big.filter).toEqual({ "data.amount": { $gte: 100 }, event_type: { $ne: "order.refunded" } });
    await project.webhook({ url: `${receiver.url}/all`, event_types: ["order.*"] });
    await project.webhook({
      url: `${receiver.url}/vip`,
      event_types: ["order.*"],
      filter: { $or: [{ "data.customer.tier": { $in: ["gold", "vip"] } }, { "data.items.0.sku": "GIFT" }] },
    });

    const sent = [
      await project.event("order.paid", { amount: 50 }),
      await project.event("order.paid", { amount: 150, customer: { tier: "vip" } }),
      await project.event("order.paid", { amount: 20, items: [{ sku: "GIFT" }] }),
      await project.event("order.refunded", { amount: 500 }),
    ];
    expect(sent.map((event) => event.deliveries)).toEqual([1, 3, 2, 1]);
    await receiver.waitForRequests(7);
    expect(paths()).toEqual(["/all", "/all", "/all", "/all", "/big", "/vip", "/vip"]);
    const big150 = receiver.requests.find((request) => request.url === "/big");
    expect(JSON.parse(big150?.body.toString() ?? "{}").data.amount).toBe(150);
  });

  it("takes a changed or cleared filter into account at once", async () => {
    const webhook = await project.webhook({
      url: `${receiver.url}/changing`,
      event_types: ["stock.*"],
      filter: { "data.sku": "A" },
    });
    expect((await project.event("stock.low", { sku: "B" })).deliveries).toBe(0);
    const patched = await stack.call("PATCH", project.path(`/webhooks/${webhook.id}`), {
      key: project.key,
      body: { filter: { "data.sku": { $prefix: "B" } } },
    });
    expect(patched.status).toBe(200);
    expect((await project.event("stock.low", { sku: "B-7" })).deliveries).toBe(1);
    const cleared = await stack.call("PATCH", project.path(`/webhooks/${webhook.id}`), {
      key: project.key,
      body: { filter: null },
    });
    expect(cleared.body.filter).toBeNull();
    expect((await project.event("stock.low", { sku: "C" })).deliveries).toBe(1);
    await eventually(async () => receiver.requests.filter((r) => r.url === "/changing").length === 2);
  });

  it("a changed filter reaches every process's cache (the dispatchers fan out too)", async () => {
    const webhook = await project.webhook({
      url: `${receiver.url}/elsewhere`,
      event_types: ["stock.*"],
      filter: { "data.sku": "A" },
    });
    // Another process's lookups, caching while they listen (as a dispatcher's do).
    const other = new ProjectLookups(stack.db);
    other.listen(stack.env.DATABASE_URL ?? "", createLogger("test", "silent"));
    try {
      const envelope = { event_id: "e", event_type: "stock.low", created_at: "", project_id: project.id };
      const takes = async (sku: string) => {
        const targets = await other.enabledWebhooks(project.id);
        return targets.find((target) => target.id === webhook.id)?.matches?.({ ...envelope, data: { sku } });
      };
      // Cached once the same answer comes back twice (it is fetched again while not listening).
      await eventually(async () => {
        const first = await other.enabledWebhooks(project.id);
        return first === (await other.enabledWebhooks(project.id));
      });
      expect(await takes("B")).toBe(false);
      const patched = await stack.call("PATCH", project.path(`/webhooks/${webhook.id}`), {
        key: project.key,
        body: { filter: { "data.sku": "B" } },
      });
      expect(patched.status).toBe(200);
      await eventually(async () => (await takes("B")) === true, 5_000);
    } finally {
      await other.close();
    }
  });

  it("refuses a bad filter with 422 naming the path of the bad operator", async () => {
    const refused = await stack.call("POST", project.path("/webhooks"), {
      key: project.key,
      body: {
        url: `${receiver.url}/bad`,
        event_types: ["*"],
        filter: { $and: [{ "data.amount": { $gtt: 5 } }] },
      },
    });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe("validation_error");
    expect(refused.body.error.details[0].path).toBe("filter.$and.0.data.amount.$gtt");
    expect(refused.body.error.message).toMatch(
      /^filter\.\$and\.0\.data\.amount\.\$gtt: unknown operator \$gtt/,
    );

    let deep: Record<string, unknown> = { "data.x": 1 };
    for (let level = 0; level < 5; level++) deep = { $and: [deep] };
    const tooDeep = await stack.call("POST", project.path("/webhooks"), {
      key: project.key,
      body: { url: `${receiver.url}/bad`, event_types: ["*"], filter: deep },
    });
    expect(tooDeep.status).toBe(422);
    expect(tooDeep.body.error.message).toMatch(/nested too deeply: at most 5 levels/);

    const tooBig = await stack.call("POST", project.path("/webhooks"), {
      key: project.key,
      body: { url: `${receiver.url}/bad`, event_types: ["*"], filter: { "data.note": "x".repeat(5000) } },
    });
    expect(tooBig.status).toBe(422);
    expect(tooBig.body.error.message).toMatch(/4096 bytes/);
  });
});
