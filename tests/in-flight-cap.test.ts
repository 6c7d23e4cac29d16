import { createProject, type TestProject } from "./support/fixtures.js";
import { eventually, type ReceivedRequest, TestReceiver } from "./support/receiver.js";
import { type Stack, startStack } from "./support/stack.js";

/** The most requests a receiver had open at once, each open from arrival for `holdMs`. */
function mostAtOnce(requests: readonly ReceivedRequest[], holdMs: number): number {
  const edges = requests.flatMap(({ at }) => [
    { at, step: 1 },
    { at: at + holdMs, step: -1 },
  ]);
  // An answer and an arrival in the same millisecond: the answer first (the slot was freed by it).
  edges.sort((a, b) => a.at - b.at || a.step - b.step);
  let open = 0;
  let most = 0;
  for (const { step } of edges) {
    open += step;
    most = Math.max(most, open);
  }
  return most;
}

// Issue 11, item 8: one slow endpoint with a backlog must not take every slot of a dispatcher.
describe("per-webhook in-flight cap (WEBHOOK_CONCURRENCY)", () => {
  let stack: Stack;
  let project: TestProject;
  const receivers: TestReceiver[] = [];

  beforeAll(async () => {
    stack = await startStack({ DISPATCHER_CONCURRENCY: "4", WEBHOOK_CONCURRENCY: "2" }, { capture: false });
    project = await createProject(stack);
  });

  afterAll(async () => {
    await stack?.stop();
    await Promise.all(receivers.map((receiver) => receiver.close()));
  });

  async function receiverFor(eventType: string, reply: TestReceiver["reply"], extra = {}) {
    const receiver = await TestReceiver.start();
    receivers.push(receiver);
    receiver.reply = reply;
    const webhook = await project.webhook({ url: receiver.url, event_types: [eventType], ...extra });
    return { receiver, webhook };
  }

  async function attemptsOf(webhookId: string) {
    return stack.db.delivery.findMany({
      where: { webhookId },
      select: { status: true, attemptCount: true, _count: { select: { attempts: true } } },
    });
  }

  it("a slow webhook holds at most its cap; another webhook's deliveries go past it; no attempt is burned", async () => {
    const SLOW_MS = 3_000;
    const slow = await receiverFor("slow.tick", () => ({ status: 200, delayMs: SLOW_MS }));
    const fast = await receiverFor("fast.tick", () => ({ status: 200 }));

    for (let n = 0; n < 5; n++) await project.event("slow.tick", { n });
    await slow.receiver.waitForRequests(1);
    // Deliveries wait in the dispatcher for a place while the webhook looks fast; once its oldest request
    // has been out for a second it counts as slow and they park.
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const accepted = new Map<string, number>();
    await Promise.all(
      Array.from({ length: 20 }, async (_, n) => {
        const { event_id } = await project.event("fast.tick", { n });
        accepted.set(event_id, Date.now());
      }),
    );

    const fastRequests = await fast.receiver.waitForRequests(20, 10_000);
    // Without the cap the slow deliveries hold all 4 slots and each fast one waits for a slow answer (about
    // 2 s more); with it, 2 slots stay free and they go at once.
    const waited = fastRequests.map(
      (request) => request.at - (accepted.get(String(request.headers["webhook-id"])) ?? 0),
    );
    expect(Math.max(...waited)).toBeLessThan(1_000);

    await slow.receiver.waitForRequests(5, 20_000);
    expect(mostAtOnce(slow.receiver.requests, SLOW_MS)).toBeLessThanOrEqual(2);
    // Parked deliveries were woken as places freed: 3 rounds of 3 s.
    const firstSlow = slow.receiver.requests[0]?.at ?? 0;
    const lastSlow = slow.receiver.requests.at(-1)?.at ?? 0;
    expect(lastSlow - firstSlow).toBeLessThan(2 * SLOW_MS + 2_000);

    // Parking is not an attempt: every delivery succeeded at its first attempt, recorded once.
    for (const headers of slow.receiver.requests.map((request) => request.headers))
      expect(headers["x-webhook-attempt"]).toBe("1");
    const rows = await eventually(async () => {
      const found = await attemptsOf(slow.webhook.id);
      return found.every((row) => row.status === "succeeded") && found;
    });
    expect(rows).toHaveLength(5);
    expect(rows.every((row) => row.attemptCount === 1 && row._count.attempts === 1)).toBe(true);
  }, 60_000);

  it("a rate-limited webhook slower than its rate: the cap holds, every delivery once, in time", async () => {
    const HOLD_MS = 400;
    const limited = await receiverFor("limited.tick", () => ({ status: 200, delayMs: HOLD_MS }), {
      rate_limit_per_second: 20,
    });
    const started = Date.now();
    for (let n = 0; n < 12; n++) await project.event("limited.tick", { n });

    const requests = await limited.receiver.waitForRequests(12, 20_000);
    expect(mostAtOnce(requests, HOLD_MS)).toBeLessThanOrEqual(2);
    // 12 deliveries, 2 at a time, 400 ms each: ~2.4 s. Slots reserved again at the end of a long line each
    // time a parked delivery woke late would push the last ones seconds further; the line is 2 slots.
    expect((requests.at(-1)?.at ?? 0) - started).toBeLessThan(2.4 * 1_000 + 3_000);

    const rows = await eventually(async () => {
      const found = await attemptsOf(limited.webhook.id);
      return found.every((row) => row.status === "succeeded") && found;
    });
    expect(rows).toHaveLength(12);
    expect(rows.every((row) => row.attemptCount === 1 && row._count.attempts === 1)).toBe(true);
  }, 60_000);
});
