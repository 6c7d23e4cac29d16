import { createProject, type TestProject } from "./support/fixtures.js";
import { ADMIN_KEY, type Stack, startStack } from "./support/stack.js";

// The ingest hot path. It stores concurrent requests' events in shared statements (group commit): these
// tests send requests concurrently, so that they land in the same write, and check that each is answered
// for itself. And it answers its lookups (key → project, project → webhooks) from memory, kept current by
// PostgreSQL notifications: changes made outside this api must show at once.
describe("ingest hot path", () => {
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

  /** Posts until `done` holds for the answer (a notification travels asynchronously); bounded. */
  async function postUntil(done: (answer: { status: number; body: any }) => boolean, key = project.key) {
    const started = Date.now();
    for (let tries = 0; tries < 80; tries++) {
      const answer = await stack.call("POST", project.path("/events"), {
        key,
        body: { event_type: "order.created", data: {} },
      });
      if (done(answer)) return { answer, tries, elapsedMs: Date.now() - started };
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`the change was not seen within ${Date.now() - started} ms`);
  }

  it("sees webhook and key changes made by another process (a dispatcher, SQL) within a second", async () => {
    const extra = await project.webhook({ url: "http://127.0.0.1:9/c", event_types: ["order.created"] });
    expect((await post({ event_type: "order.created", data: {} })).body.deliveries).toBe(3);
    // As a dispatcher does when an endpoint answers 410: not through this api.
    await stack.db.$executeRaw`UPDATE webhooks SET enabled = false WHERE id = ${extra.id}`;
    // Within a second of the change, whatever the number of requests this machine managed meanwhile.
    const { elapsedMs } = await postUntil((answer) => answer.body.deliveries === 2);
    expect(elapsedMs).toBeLessThan(1_000);

    const key = await stack.call("POST", `/v1/projects/${project.id}/api-keys`, { key: ADMIN_KEY });
    expect((await postUntil((answer) => answer.status === 202, key.body.api_key)).tries).toBe(0);
    await stack.db.$executeRaw`UPDATE api_keys SET revoked_at = now() WHERE id = ${key.body.id}`;
    await postUntil((answer) => answer.status === 401, key.body.api_key);
  });

  it("keeps seeing changes after its listening connection is cut", async () => {
    const listeners = () => stack.db.$queryRaw<Array<{ pid: number }>>`
      SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'`;
    const [listener] = await listeners();
    expect(listener).toBeDefined();
    await stack.db.$queryRaw`SELECT pg_terminate_backend(${listener?.pid}::int)`;
    // It reconnects (after a second) and listens again.
    for (let tries = 0; tries < 40 && (await listeners()).length === 0; tries++)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await listeners()).toHaveLength(1);
    const before = (await post({ event_type: "order.created", data: {} })).body.deliveries;
    await stack.db
      .$executeRaw`UPDATE webhooks SET event_types = ARRAY['none.*'] WHERE project_id = ${project.id} AND url LIKE '%/a'`;
    await postUntil((answer) => answer.body.deliveries === before - 1);
  });
});
