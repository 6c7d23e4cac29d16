import { createProject, type TestProject } from "./support/fixtures.js";
import { type ListeningProcess, startListeningApp } from "./support/processes.js";
import { eventually, type ReceivedRequest, TestReceiver } from "./support/receiver.js";
import { type Stack, startStack } from "./support/stack.js";

// A webhook with `ordering: "fifo"` (SPEC): its deliveries strictly in event order, one in flight at a
// time; a failing one holds those behind it until it succeeds or ends failed; replays and test sends do not
// wait; other webhooks are not slowed; order holds across two dispatchers and a SIGKILL.

const ANSWER_MS = 40;

interface Arrival {
  n: number;
  at: number;
  eventType: string;
}

const arrivals = (requests: ReceivedRequest[], path: string): Arrival[] =>
  requests
    .filter((request) => request.url === path)
    .map((request) => {
      const body = JSON.parse(request.body.toString());
      return { n: body.data?.n as number, at: request.at, eventType: body.event_type as string };
    });

/** The sequence with consecutive repeats (a retry, a redelivery after a kill) folded. */
const folded = (ns: number[]) => ns.filter((n, index) => index === 0 || ns[index - 1] !== n);

/** Two arrivals less than one answer apart: the second was sent while the first was in flight. */
function overlaps(list: Arrival[]): Arrival[][] {
  const sorted = [...list].sort((a, b) => a.at - b.at);
  return sorted.slice(1).flatMap((arrival, index) => {
    const previous = sorted[index] as Arrival;
    return arrival.at - previous.at < ANSWER_MS - 5 ? [[previous, arrival]] : [];
  });
}

describe("FIFO webhooks", () => {
  const stacks: Stack[] = [];
  const dispatchers: ListeningProcess[] = [];
  let receiver: TestReceiver;
  /** Paths whose event n=0 is answered 500 until released: a head that fails for as long as a test needs. */
  const holding = new Set<string>();

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    receiver.reply = (request) => {
      const body = JSON.parse(request.body.toString());
      if (holding.has(request.url) && body.data?.n === 0)
        return { status: 500, body: "not yet", delayMs: ANSWER_MS };
      return { status: 200, body: "ok", delayMs: request.url.startsWith("/fifo") ? ANSWER_MS : 0 };
    };
  });

  beforeEach(() => holding.clear());

  afterAll(async () => {
    for (const one of dispatchers) if (one.child.exitCode === null) one.child.kill("SIGKILL");
    for (const stack of stacks) await stack.stop();
    await receiver?.close();
  }, 60_000);

  async function stackWith(env: Record<string, string>, dispatcher = true) {
    const stack = await startStack(env, { dispatcher });
    stacks.push(stack);
    return { stack, project: await createProject(stack) };
  }

  const getWebhook = async (stack: Stack, project: TestProject, id: string) =>
    (await stack.call("GET", project.path(`/webhooks/${id}`), { key: project.key })).body;

  it("delivers in event order, one at a time; a failing head holds the line; replays, test sends and other webhooks do not wait", async () => {
    const { stack, project } = await stackWith({ RETRY_SCHEDULE: "400ms" });
    const fifo = await project.webhook({
      url: `${receiver.url}/fifo-1`,
      event_types: ["item.*"],
      ordering: "fifo",
    });
    expect(fifo.ordering).toBe("fifo");
    await project.webhook({ url: `${receiver.url}/parallel-1`, event_types: ["item.*"] });
    // One delivered before the line blocks, to replay while it is blocked.
    await project.event("item.early", { n: -1 });
    await eventually(async () => arrivals(receiver.requests, "/fifo-1").length === 1);
    const [early] = await stack.db.delivery.findMany({ where: { webhookId: fifo.id } });

    holding.add("/fifo-1");
    for (let n = 0; n < 20; n++) await project.event("item.created", { n });

    const blocked = await eventually(async () => {
      const webhook = await getWebhook(stack, project, fifo.id);
      return webhook.blocked_deliveries === 19 && webhook.blocked_since ? webhook : undefined;
    });
    expect(Date.parse(blocked.blocked_since)).toBeGreaterThan(Date.now() - 30_000);
    // While the head fails: a replay and a test send go out, and the other webhook gets everything.
    const replay = await stack.call(
      "POST",
      project.path(`/webhooks/${fifo.id}/deliveries/${early?.id}/replay`),
      {
        key: project.key,
      },
    );
    expect(replay.status).toBe(202);
    const test = await stack.call("POST", project.path(`/webhooks/${fifo.id}/test`), { key: project.key });
    expect(test.body.success).toBe(true);
    await eventually(
      async () => new Set(arrivals(receiver.requests, "/parallel-1").map((a) => a.n)).size === 21,
    );
    await eventually(
      async () => arrivals(receiver.requests, "/fifo-1").filter((a) => a.n === -1).length >= 2,
    );
    expect(arrivals(receiver.requests, "/fifo-1").filter((a) => a.n > 0)).toEqual([]);

    holding.delete("/fifo-1");
    await eventually(async () => arrivals(receiver.requests, "/fifo-1").some((a) => a.n === 19), 20_000);
    const zeros = arrivals(receiver.requests, "/fifo-1").filter((a) => a.n === 0);
    expect(zeros.length).toBeGreaterThanOrEqual(2);
    const parallel = arrivals(receiver.requests, "/parallel-1");
    expect(Math.max(...parallel.map((a) => a.at))).toBeLessThan(zeros.at(-1)?.at ?? 0);
    expect(arrivals(receiver.requests, "/fifo-1").some((a) => a.eventType === "webhook.test")).toBe(true);
    const line = arrivals(receiver.requests, "/fifo-1").filter((a) => a.eventType === "item.created");
    expect(folded(line.map((a) => a.n))).toEqual(Array.from({ length: 20 }, (_, n) => n));
    expect(overlaps(line).filter(([a, b]) => a?.n !== b?.n)).toEqual([]);
    const after = await getWebhook(stack, project, fifo.id);
    expect([after.blocked_deliveries, after.blocked_since]).toEqual([0, null]);
  });

  it("a head that ends failed lets the line go on", async () => {
    const { stack, project } = await stackWith({ RETRY_SCHEDULE: "300ms", RETRY_MAX_AGE: "2s" });
    const fifo = await project.webhook({
      url: `${receiver.url}/fifo-2`,
      event_types: ["item.*"],
      ordering: "fifo",
    });
    holding.add("/fifo-2");
    for (let n = 0; n < 5; n++) await project.event("item.created", { n });
    await eventually(async () => arrivals(receiver.requests, "/fifo-2").some((a) => a.n === 4), 20_000);
    const line = arrivals(receiver.requests, "/fifo-2");
    expect(folded(line.map((a) => a.n))).toEqual([0, 1, 2, 3, 4]);
    const deliveries = await stack.db.delivery.findMany({
      where: { webhookId: fifo.id },
      orderBy: { eventId: "asc" },
    });
    await eventually(
      async () =>
        (await stack.db.delivery.findMany({ where: { webhookId: fifo.id, status: "succeeded" } })).length ===
        4,
    );
    expect(deliveries[0]?.status).toBe("failed");
  });

  it("leaving FIFO releases the line: what waited goes out at once", async () => {
    const { stack, project } = await stackWith({ RETRY_SCHEDULE: "10s", OUTBOX_SWEEP_INTERVAL: "300ms" });
    const fifo = await project.webhook({
      url: `${receiver.url}/fifo-4`,
      event_types: ["item.*"],
      ordering: "fifo",
    });
    holding.add("/fifo-4");
    for (let n = 0; n < 5; n++) await project.event("item.created", { n });
    await eventually(async () => (await getWebhook(stack, project, fifo.id)).blocked_deliveries === 4);
    await eventually(async () => arrivals(receiver.requests, "/fifo-4").length >= 1);
    expect(new Set(arrivals(receiver.requests, "/fifo-4").map((a) => a.n))).toEqual(new Set([0]));
    const patched = await stack.call("PATCH", project.path(`/webhooks/${fifo.id}`), {
      key: project.key,
      body: { ordering: "none" },
    });
    expect([patched.body.ordering, patched.body.blocked_deliveries]).toEqual(["none", 0]);
    await eventually(
      async () => new Set(arrivals(receiver.requests, "/fifo-4").map((a) => a.n)).size === 5,
      5_000,
    );
  });

  it("keeps the order across two dispatchers and a SIGKILL of one mid-stream", async () => {
    const env = { STALLED_JOB_TIMEOUT: "3s", OUTBOX_SWEEP_INTERVAL: "300ms", LOG_LEVEL: "warn" };
    const { stack, project } = await stackWith(env, false);
    const first = await startListeningApp("dispatcher", { ...stack.env, ...env });
    const second = await startListeningApp("dispatcher", { ...stack.env, ...env });
    dispatchers.push(first, second);
    await project.webhook({ url: `${receiver.url}/fifo-3`, event_types: ["item.*"], ordering: "fifo" });
    await project.webhook({ url: `${receiver.url}/parallel-3`, event_types: ["item.*"] });
    for (let n = 0; n < 60; n++) await project.event("item.created", { n });

    await eventually(async () => arrivals(receiver.requests, "/fifo-3").length >= 15, 20_000);
    first.child.kill("SIGKILL");
    await first.exited;
    await eventually(async () => arrivals(receiver.requests, "/fifo-3").some((a) => a.n === 59), 40_000);

    const line = arrivals(receiver.requests, "/fifo-3");
    expect(folded(line.map((a) => a.n))).toEqual(Array.from({ length: 60 }, (_, n) => n));
    // Only a delivery in flight at the kill (or a stalled job's rerun) may come twice, never beside another
    // delivery of the line.
    expect(line.length - 60).toBeLessThanOrEqual(3);
    expect(overlaps(line).filter(([a, b]) => a?.n !== b?.n)).toEqual([]);
    expect(new Set(arrivals(receiver.requests, "/parallel-3").map((a) => a.n)).size).toBe(60);
  }, 90_000);
});
