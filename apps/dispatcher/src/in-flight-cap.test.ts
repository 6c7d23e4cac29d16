import { PARKED_LINE_LIMIT, PARKED_WAKE_CAP_MS, type Place, WebhookInFlightCap } from "./in-flight-cap.js";

const settle = () => new Promise((resolve) => setImmediate(resolve));
const SLOW_MS = 50;

describe("WebhookInFlightCap", () => {
  /** `stillParked(id)`: what the queue would say (false: it ran elsewhere meanwhile; an Error: it threw). */
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
    const take = async (webhookId: string, jobId: string) => cap.acquire(webhookId, jobId, SLOW_MS);
    return { cap, promoted, errors, take };
  }

  it("lets `perWebhook` requests out per webhook, each webhook counted apart", async () => {
    const { cap, take } = capOf(2);
    const a1 = await take("wh_a", "j1");
    const a2 = await take("wh_a", "j2");
    expect([a1, a2].every(Boolean)).toBe(true);
    expect(await take("wh_b", "j4")).not.toBeNull();
    // Full, and fast so far: the third waits for a place instead of parking.
    const third = take("wh_a", "j3");
    cap.release(a1 as Place);
    expect(await third).toMatchObject({ webhookId: "wh_a" });
  });

  it("parks (null) a delivery that finds the webhook full of slow requests, at once or once they turn slow", async () => {
    const { cap, take } = capOf(1);
    await take("wh_a", "j0");
    const started = Date.now();
    expect(await take("wh_a", "j1")).toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(SLOW_MS - 5);
    // Now slow: the next one does not wait at all.
    expect(cap.mayHaveRoom("wh_a", SLOW_MS)).toBe(false);
    const again = Date.now();
    expect(await take("wh_a", "j2")).toBeNull();
    expect(Date.now() - again).toBeLessThan(SLOW_MS);
  });

  it("hands a freed place to those waiting here first, else wakes parked deliveries in the order they were parked", async () => {
    const { cap, promoted, take } = capOf(1);
    const first = (await take("wh_a", "j0")) as Place;
    for (const id of ["p1", "p2", "p1"]) cap.parked("wh_a", id, 1_000);
    expect(cap.parkedCount("wh_a")).toBe(2);
    const waiting = take("wh_a", "w1");
    cap.release(first);
    const handed = (await waiting) as Place;
    expect(handed).not.toBeNull();
    expect(promoted).toEqual([]);
    cap.release(handed);
    await settle();
    expect(promoted).toEqual(["p1"]);
  });

  it("a place that freed while a delivery was being parked wakes it at once; one parking for its rate line does not", async () => {
    const { cap, promoted } = capOf(1);
    cap.parked("wh_a", "j1", 1_000, false);
    await settle();
    expect(promoted).toEqual([]);
    cap.parked("wh_a", "j2", 1_000);
    await settle();
    expect(promoted).toEqual(["j1"]);
  });

  it("skips ids that ran elsewhere or are gone, and reports unexpected errors", async () => {
    const { cap, promoted, errors, take } = capOf(1, (id) =>
      id === "gone"
        ? new Error("Missing key for job gone. promote")
        : id === "ranElsewhere"
          ? false
          : id === "odd"
            ? new Error("connection lost")
            : true,
    );
    const place = (await take("wh_a", "j0")) as Place;
    for (const id of ["gone", "ranElsewhere", "j3"]) cap.parked("wh_a", id, 1_000);
    cap.release(place);
    await settle();
    expect(promoted).toEqual(["j3"]);
    expect(errors).toEqual([]);
    const next = (await take("wh_a", "j3")) as Place;
    cap.parked("wh_a", "odd", 1_000);
    cap.release(next);
    await settle();
    expect(errors).toHaveLength(1);
  });

  it("a job that runs here leaves the line; a place is given back once only", async () => {
    const { cap, promoted, take } = capOf(1);
    const place = (await take("wh_a", "j0")) as Place;
    cap.parked("wh_a", "j1", 1_000);
    cap.release(place);
    cap.release(place);
    await settle();
    expect(promoted).toEqual(["j1"]);
    cap.parked("wh_a", "j2", 1_000);
    await settle();
    const j2 = (await take("wh_a", "j2")) as Place;
    expect(cap.parkedCount("wh_a")).toBe(0);
    cap.release(j2);
    await settle();
    expect(promoted).toEqual(["j1", "j2"]);
  });

  it("sleeps longer the further back in line, up to a cap, and remembers a bounded line", async () => {
    const { cap, take } = capOf(1);
    await take("wh_a", "j0");
    const first = cap.wakeAfterMs("wh_a");
    cap.parked("wh_a", "j1", 1_000);
    expect(cap.wakeAfterMs("wh_a")).toBeGreaterThan(first);
    for (let n = 0; n < PARKED_LINE_LIMIT + 50; n++) cap.parked("wh_a", `k${n}`, 1_000);
    expect(cap.parkedCount("wh_a")).toBe(PARKED_LINE_LIMIT);
    expect(cap.wakeAfterMs("wh_a")).toBe(PARKED_WAKE_CAP_MS);
  });

  it("a stopping dispatcher wakes its whole line, and whatever it parks next sleeps only a moment", async () => {
    const { cap, promoted, take } = capOf(1);
    await take("wh_a", "j0");
    for (const id of ["p1", "p2"]) cap.parked("wh_a", id, 1_000);
    cap.parked("wh_b", "p3", 1_000);
    const before = cap.wakeAfterMs("wh_a");
    await cap.wakeAll();
    expect(promoted.sort()).toEqual(["p1", "p2", "p3"]);
    expect(cap.parkedCount("wh_a")).toBe(0);
    expect(cap.wakeAfterMs("wh_a")).toBeLessThan(before);
  });

  it("wakes parked deliveries every second while this dispatcher has room, even with no release here", async () => {
    const { cap, promoted } = capOf(2);
    cap.parked("wh_a", "p1", 1_000, false);
    cap.parked("wh_a", "p2", 1_000, false);
    cap.parked("wh_a", "p3", 1_000, false);
    expect(promoted).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    // Two places free here: two woken, in order; the third waits for the next check or a release.
    expect(promoted).toEqual(["p1", "p2"]);
    await cap.wakeAll();
  });
});
