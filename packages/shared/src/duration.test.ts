import { parseDuration, parseDurationList } from "./duration.js";

describe("parseDuration", () => {
  it.each([
    ["500ms", 500],
    ["5s", 5_000],
    ["1.5s", 1_500],
    ["5m", 300_000],
    ["2h", 7_200_000],
    ["14d", 1_209_600_000],
    ["0s", 0],
    [" 30s ", 30_000],
  ])("reads %j as %d ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["5x", "", "-1s", "s", "5", "1.s", ".5s", "5 s", "5S", "1e3ms", "5s5m"])("refuses %j", (text) => {
    expect(() => parseDuration(text)).toThrow(`"${text}" is not a duration`);
  });
});

describe("parseDurationList", () => {
  it("reads a comma list in order, repeats included", () => {
    expect(parseDurationList("1s,1s")).toEqual([1_000, 1_000]);
    expect(parseDurationList("500ms, 2m")).toEqual([500, 120_000]);
  });

  it("reads the default schedule 5s,5m,30m,2h,5h,10h", () => {
    expect(parseDurationList("5s,5m,30m,2h,5h,10h")).toEqual([
      5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000,
    ]);
  });

  it("refuses zero delays", () => {
    expect(() => parseDurationList("0s")).toThrow('"0s" must be a comma list of positive durations');
    expect(() => parseDurationList("1s,0s")).toThrow("positive durations");
  });

  it.each(["", "1s,", ",1s", "1s,,1s", "1s,5x"])("refuses %j", (text) => {
    expect(() => parseDurationList(text)).toThrow("is not a duration");
  });
});
