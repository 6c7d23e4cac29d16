import { idTime } from "@hookrelay/shared";
import { createProject } from "./support/fixtures.js";
import { eventually, TestReceiver } from "./support/receiver.js";
import { type Stack, startStack } from "./support/stack.js";

// Issue 11, item 6: an error that does not come from an attempt and repeats every time (here a webhook row
// whose signature format no code knows) must not retry forever: once the delivery is older than
// RETRY_MAX_AGE (and a grace) it ends, failed, with the reason recorded.
describe("an error other than an attempt that never goes away", () => {
  let stack: Stack;
  let receiver: TestReceiver;

  beforeAll(async () => {
    stack = await startStack({ RETRY_SCHEDULE: "1s", RETRY_MAX_AGE: "2s" }, { capture: false });
    receiver = await TestReceiver.start();
  });

  afterAll(async () => {
    await stack?.stop();
    await receiver?.close();
  });

  it("retries without an attempt until RETRY_MAX_AGE, then ends the delivery failed with dispatch_error", async () => {
    const project = await createProject(stack);
    const webhook = await project.webhook({ url: receiver.url, event_types: ["order.paid"] });
    await stack.db.$executeRaw`UPDATE webhooks SET signature_format = 'bogus' WHERE id = ${webhook.id}`;
    await project.event("order.paid", { n: 1 });

    const delivery = await eventually(async () => {
      const found = await stack.db.delivery.findFirst({ where: { webhookId: webhook.id } });
      return found?.status === "failed" && found;
    }, 20_000);
    // Not at the first error: only once the delivery had outlived RETRY_MAX_AGE and its grace (here 2 s
    // + 2 s), and the error had come back run after run.
    expect(
      (delivery.completedAt ?? new Date(0)).getTime() - idTime(delivery.id).getTime(),
    ).toBeGreaterThanOrEqual(4_000);
    const attempts = await stack.db.attempt.findMany({ where: { deliveryId: delivery.id } });
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ attemptNumber: 1, statusCode: null, error: "dispatch_error" });
    expect(delivery.attemptCount).toBe(1);
    expect(receiver.requests).toHaveLength(0);
  }, 30_000);
});
