import { PARKED_LINE_LIMIT, PARKED_WAKE_CAP_MS, WebhookInFlightCap } from "./in-flight-cap.js";

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("WebhookInFlightCap", () => {
  function capOf(perWebhook: number, fails: (jobId: string) => Error | undefined = () => undefined) {
    const promoted: string[] = [];
    const errors: unknown[] = [];
    const cap = new WebhookInFlightCap(
      perWebhook,
      async (jobId) => {
        const error = fails(jobId);
        if (error) throw error;
        promoted.push(jobId);
      },
      (error) => errors.push(error),
    );
    return { cap, promoted, errors };
  }

  it("lets `perWebhook` run per webhook, each webhook counted apart", () => {
    const { cap } = capOf(2);
    expect([cap.tryAcquire("wh_a"), cap.tryAcquire("wh_a"), cap.tryAcquire("wh_a")]).toEqual([
      true,
      true,
      false,
    ]);
    expect(cap.tryAcquire("wh_b")).toBe(true);
    expect(cap.hasRoom("wh_a")).toBe(false);
    cap.release("wh_a");
    expect(cap.hasRoom("wh_a")).toBe(true);
  });

  it("wakes parked deliveries one per freed place, in the order they were parked; a repeat keeps its place", async () => {
    const { cap, promoted } = capOf(1);
    cap.tryAcquire("wh_a");
    for (const id of ["j1", "j2", "j3", "j1"]) cap.parked("wh_a", id);
    expect(cap.parkedCount("wh_a")).toBe(3);
    cap.release("wh_a");
    await settle();
    expect(promoted).toEqual(["j1"]);
    cap.tryAcquire("wh_a");
    cap.release("wh_a");
    await settle();
    expect(promoted).toEqual(["j1", "j2"]);
  });

  it("a place that freed while a delivery was being parked wakes it at once", async () => {
    const { cap, promoted } = capOf(1);
    cap.parked("wh_a", "j1");
    await settle();
    expect(promoted).toEqual(["j1"]);
  });

  it("skips parked jobs that already woke or are gone, and reports other errors", async () => {
    const { cap, promoted, errors } = capOf(1, (id) =>
      id === "gone"
        ? new Error("Missing key for job gone. promote")
        : id === "awake"
          ? new Error("Job awake is not in the delayed state. promote")
          : id === "odd"
            ? new Error("connection lost")
            : undefined,
    );
    cap.tryAcquire("wh_a");
    for (const id of ["gone", "awake", "j3"]) cap.parked("wh_a", id);
    cap.release("wh_a");
    await settle();
    expect(promoted).toEqual(["j3"]);
    expect(errors).toEqual([]);
    cap.tryAcquire("wh_a");
    cap.parked("wh_a", "odd");
    cap.release("wh_a");
    await settle();
    expect(errors).toHaveLength(1);
  });

  it("sleeps longer the further back in line, up to a cap, and remembers a bounded line", () => {
    const { cap } = capOf(1);
    cap.tryAcquire("wh_a");
    const first = cap.wakeAfterMs("wh_a");
    cap.parked("wh_a", "j1");
    expect(cap.wakeAfterMs("wh_a")).toBeGreaterThan(first);
    for (let n = 0; n < PARKED_LINE_LIMIT + 50; n++) cap.parked("wh_a", `k${n}`);
    expect(cap.parkedCount("wh_a")).toBe(PARKED_LINE_LIMIT);
    expect(cap.wakeAfterMs("wh_a")).toBe(PARKED_WAKE_CAP_MS);
  });
});
