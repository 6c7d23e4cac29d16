import { jest } from "@jest/globals";
import { startPollLoop } from "./poll-loop.js";

describe("startPollLoop", () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  /** A loop whose steps answer `answers` in turn (an Error is thrown), recording when each step ran. */
  function loop(answers: Array<boolean | Error>) {
    const ranAt: number[] = [];
    const errors: string[] = [];
    let index = 0;
    const stop = startPollLoop(
      async () => {
        ranAt.push(Date.now());
        const answer = answers[Math.min(index++, answers.length - 1)];
        if (answer instanceof Error) throw answer;
        return answer ?? false;
      },
      1_000,
      (error) => errors.push(error.message),
    );
    return { ranAt, errors, stop };
  }

  const gaps = (times: number[]) => times.slice(1).map((at, index) => at - (times[index] ?? 0));

  it("runs at once again while there is more, else every interval", async () => {
    const { ranAt, stop } = loop([true, true, false]);
    await jest.advanceTimersByTimeAsync(2_500);
    await stop();
    // "At once" is the next turn of the timers (Node makes a 0 ms timeout 1 ms).
    expect(gaps(ranAt)).toEqual([1, 1, 1_000, 1_000]);
  });

  it("waits twice as long after each error in a row, up to 30 s, and the interval again after a success", async () => {
    const down = new Error("database down");
    const { ranAt, errors, stop } = loop([down, down, down, down, down, down, false]);
    await jest.advanceTimersByTimeAsync(120_000);
    await stop();
    expect(gaps(ranAt).slice(0, 7)).toEqual([2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 1_000]);
    expect(errors).toHaveLength(6);
  });
});
