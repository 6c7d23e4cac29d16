import { createProject, type TestProject } from "./support/fixtures.js";
import { type Stack, startStack } from "./support/stack.js";

// Ingest stores concurrent requests' events in shared statements (group commit). These tests send
// requests concurrently, so that they land in the same write, and check that each is answered for itself.
describe("ingest group commit", () => {
  let stack: Stack;
  let project: TestProject;

  beforeAll(async () => {
    stack = await startStack({}, { dispatcher: false });
    project = await createProject(stack);
    await project.webhook({ url: "http://127.0.0.1:9/a", event_types: ["order.*"] });
    await project.webhook({ url: "http://127.0.0.1:9/b", event_types: ["*"] });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    stack.call("POST", project.path("/events"), { key: project.key, body, headers });

  it("stores every one of many concurrent events with its own deliveries and enqueues them", async () => {
    const answers = await Promise.all(
      Array.from({ length: 120 }, (_, n) =>
        post({ event_type: n % 2 === 0 ? "order.created" : "user.created", data: { n } }),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(120).fill(202));
    const ids = answers.map((answer) => answer.body.event_id);
    expect(new Set(ids).size).toBe(120);
    expect(answers.map((answer) => answer.body.deliveries)).toEqual(
      Array.from({ length: 120 }, (_, n) => (n % 2 === 0 ? 2 : 1)),
    );

    const events = await stack.db.event.findMany({
      where: { id: { in: ids } },
      select: { id: true, data: true },
    });
    expect(events).toHaveLength(120);
    for (const event of events) expect(ids.indexOf(event.id)).toBe((event.data as { n: number }).n);
    const deliveries = await stack.db.delivery.findMany({ where: { eventId: { in: ids } } });
    expect(deliveries).toHaveLength(180);
    expect(deliveries.every((delivery) => delivery.enqueuedAt !== null)).toBe(true);
    const jobs = await stack.queue.getJobs(["waiting"]);
    const queued = new Set(jobs.map((job) => job.id));
    expect(deliveries.filter((delivery) => !queued.has(delivery.id))).toEqual([]);
  });

  it("answers concurrent repeats of one idempotency key with the one event they created", async () => {
    const answers = await Promise.all(
      Array.from({ length: 15 }, () =>
        post({ event_type: "order.paid", data: {} }, { "Idempotency-Key": "pay-42" }),
      ),
    );
    const created = answers.filter((answer) => answer.status === 202);
    expect(created).toHaveLength(1);
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(14);
    expect(new Set(answers.map((answer) => answer.body.event_id))).toEqual(
      new Set([created[0]?.body.event_id]),
    );
    expect(answers.every((answer) => answer.body.deliveries === 2)).toBe(true);
    expect(await stack.db.event.count({ where: { idempotencyKey: "pay-42" } })).toBe(1);
    expect(await stack.db.delivery.count({ where: { eventId: created[0]?.body.event_id } })).toBe(2);
  });

  it("refuses an event PostgreSQL cannot store without failing the events written with it", async () => {
    // jsonb has no NUL character: such an event is refused, its neighbours in the same write are stored.
    const answers = await Promise.all([
      post({ event_type: "order.created", data: { good: 1 } }),
      post({ event_type: "order.created", data: { bad: "nul\u0000here" } }),
      post({ event_type: "order.created", data: { good: 2 } }),
    ]);
    expect(answers[0]?.status).toBe(202);
    expect(answers[2]?.status).toBe(202);
    expect(answers[1]?.status).toBe(422);
    expect(answers[1]?.body.error.code).toBe("validation_error");
    const stored = await stack.db.event.findMany({
      where: { id: { in: [answers[0]?.body.event_id, answers[2]?.body.event_id] } },
    });
    expect(stored).toHaveLength(2);
  });
});
