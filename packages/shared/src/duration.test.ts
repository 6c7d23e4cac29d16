import { parseDuration, parseDurationList } from "./duration.js";

describe("durations", () => {
  it.each([
    ["500ms", 500],
    ["5s", 5_000],
    ["1.5s", 1_500],
    ["5m", 300_000],
    ["2h", 7_200_000],
    ["14d", 1_209_600_000],
  ])("reads %s", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["5x", "", "-1s", "s", "5"])("refuses %j", (text) => {
    expect(() => parseDuration(text)).toThrow("is not a duration");
  });

  it("reads comma lists and refuses zero delays", () => {
    expect(parseDurationList("1s,1s")).toEqual([1_000, 1_000]);
    expect(parseDurationList("5s,5m,30m,2h,5h,10h")).toEqual([
      5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000,
    ]);
    expect(() => parseDurationList("1s,0s")).toThrow("positive");
  });
});
