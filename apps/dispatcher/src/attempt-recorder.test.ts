import { unreachable, whileUnreachable } from "./attempt-recorder.js";

const refused = (code: string) =>
  Object.assign(new Error(`refused ${code}`), { meta: { driverAdapterError: { cause: { code } } } });

describe("recording an attempt that did not reach PostgreSQL", () => {
  it.each([
    [new Error("Connection terminated due to connection timeout"), true],
    [new Error("timeout exceeded when trying to connect"), true],
    [refused("08006"), true],
    [refused("57P01"), true],
    [refused("23505"), false],
    [refused("57014"), false],
    [new TypeError("cannot read properties of undefined"), false],
  ])("%s is retried: %s", (error, expected) => {
    expect(unreachable(error)).toBe(expected);
  });

  it("tries again after each wait while unreachable, then gives up with the last error", async () => {
    const waits: number[] = [];
    let calls = 0;
    const sleep = async (ms: number) => waits.push(ms);
    const succeeded = await whileUnreachable(
      async () => {
        calls += 1;
        if (calls < 3) throw new Error("Connection terminated unexpectedly");
        return "recorded";
      },
      [10, 20, 30],
      sleep,
    );
    expect(succeeded).toBe("recorded");
    expect(waits).toEqual([10, 20]);

    calls = 0;
    await expect(
      whileUnreachable(
        async () => {
          calls += 1;
          throw new Error(`down ${calls}`);
        },
        [10, 20],
        sleep,
      ),
    ).rejects.toThrow("down 3");

    calls = 0;
    await expect(
      whileUnreachable(
        async () => {
          calls += 1;
          throw refused("23503");
        },
        [10, 20],
        sleep,
      ),
    ).rejects.toThrow("refused 23503");
    expect(calls).toBe(1);
  });
});
