import { PARKED_LINE_LIMIT, PARKED_WAKE_CAP_MS, WebhookInFlightCap } from "./in-flight-cap.js";

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("WebhookInFlightCap", () => {
  /** `stillParked(id)`: what the queue would say (false: it ran elsewhere meanwhile, or is gone). */
  function capOf(perWebhook: number, stillParked: (jobId: string) => boolean | Error = () => true) {
    const promoted: string[] = [];
    const errors: unknown[] = [];
    const cap = new WebhookInFlightCap(
      perWebhook,
      async (jobId) => {
        const answer = stillParked(jobId);
        if (answer instanceof Error) throw answer;
        if (answer) promoted.push(jobId);
        return answer;
      },
      (error) => errors.push(error),
    );
    return { cap, promoted, errors };
  }

  it("lets `perWebhook` run per webhook, each webhook counted apart", () => {
    const { cap } = capOf(2);
    expect(["j1", "j2", "j3"].map((id) => cap.tryAcquire("wh_a", id))).toEqual([true, true, false]);
    expect(cap.tryAcquire("wh_b", "j4")).toBe(true);
    expect(cap.hasRoom("wh_a")).toBe(false);
    cap.release("wh_a");
    expect(cap.hasRoom("wh_a")).toBe(true);
  });

  it("wakes parked deliveries one per freed place, in the order they were parked; a repeat keeps its place", async () => {
    const { cap, promoted } = capOf(1);
    cap.tryAcquire("wh_a", "j0");
    for (const id of ["j1", "j2", "j3", "j1"]) cap.parked("wh_a", id, 1_000);
    expect(cap.parkedCount("wh_a")).toBe(3);
    cap.release("wh_a");
    await settle();
    expect(promoted).toEqual(["j1"]);
    expect(cap.tryAcquire("wh_a", "j1")).toBe(true);
    cap.release("wh_a");
    await settle();
    expect(promoted).toEqual(["j1", "j2"]);
  });

  it("a delivery giving its place back to park itself wakes no one (no chain of parks)", async () => {
    const { cap, promoted } = capOf(2);
    cap.tryAcquire("wh_a", "j0");
    cap.parked("wh_a", "j1", 1_000, false);
    cap.release("wh_a", false);
    await settle();
    expect(promoted).toEqual([]);
    expect(cap.parkedCount("wh_a")).toBe(1);
  });

  it("a place that freed while a delivery was being parked wakes it at once", async () => {
    const { cap, promoted } = capOf(1);
    cap.parked("wh_a", "j1", 1_000);
    await settle();
    expect(promoted).toEqual(["j1"]);
  });

  it("skips ids that ran elsewhere or are gone, frees their kept place, and reports unexpected errors", async () => {
    const { cap, promoted, errors } = capOf(1, (id) =>
      id === "gone"
        ? new Error("Missing key for job gone. promote")
        : id === "ranElsewhere"
          ? false
          : id === "odd"
            ? new Error("connection lost")
            : true,
    );
    cap.tryAcquire("wh_a", "j0");
    for (const id of ["gone", "ranElsewhere", "j3"]) cap.parked("wh_a", id, 1_000);
    cap.release("wh_a");
    await settle();
    expect(promoted).toEqual(["j3"]);
    expect(errors).toEqual([]);
    expect(cap.tryAcquire("wh_a", "j3")).toBe(true);
    cap.parked("wh_a", "odd", 1_000);
    cap.release("wh_a");
    await settle();
    expect(errors).toHaveLength(1);
    expect(cap.hasRoom("wh_a")).toBe(true);
  });

  it("a job that runs here leaves the line", async () => {
    const { cap, promoted } = capOf(1);
    cap.tryAcquire("wh_a", "j0");
    cap.parked("wh_a", "j1", 1_000);
    cap.parked("wh_a", "j2", 1_000);
    cap.release("wh_a");
    await settle();
    // j2 woke by itself and runs here: it leaves the line, and the next freed place wakes no one.
    expect(cap.tryAcquire("wh_a", "j2")).toBe(true);
    expect(cap.parkedCount("wh_a")).toBe(0);
    cap.release("wh_a");
    await settle();
    expect(promoted).toEqual(["j1"]);
  });

  it("sleeps longer the further back in line, up to a cap, and remembers a bounded line", () => {
    const { cap } = capOf(1);
    cap.tryAcquire("wh_a", "j0");
    const first = cap.wakeAfterMs("wh_a");
    cap.parked("wh_a", "j1", 1_000);
    expect(cap.wakeAfterMs("wh_a")).toBeGreaterThan(first);
    for (let n = 0; n < PARKED_LINE_LIMIT + 50; n++) cap.parked("wh_a", `k${n}`, 1_000);
    expect(cap.parkedCount("wh_a")).toBe(PARKED_LINE_LIMIT);
    expect(cap.wakeAfterMs("wh_a")).toBe(PARKED_WAKE_CAP_MS);
  });
});
