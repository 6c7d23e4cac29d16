import { badgeColor, outcomeBadge } from "./badges.js";

describe("status badges", () => {
  it.each([
    [200, null, "green"],
    [204, null, "green"],
    [299, null, "green"],
    [301, null, "yellow"],
    [404, null, "yellow"],
    [429, null, "yellow"],
    [499, null, "yellow"],
    [500, null, "red"],
    [503, null, "red"],
    [null, "timeout", "red"],
    [null, "connection_refused", "red"],
    [null, null, "red"],
    [101, null, "red"],
  ] as const)("status %p, error %p → %s", (statusCode, error, color) => {
    expect(badgeColor({ statusCode, error })).toBe(color);
  });

  it("is grey with no attempt yet, and labels by status code or error name", () => {
    expect(badgeColor(undefined)).toBe("grey");
    expect(outcomeBadge(undefined).value).toContain(">no attempt<");
    expect(outcomeBadge({ statusCode: 503, error: null }).value).toBe(
      '<span class="badge badge-red" data-color="red">503</span>',
    );
    expect(outcomeBadge({ statusCode: null, error: "timeout" }).value).toContain(">timeout<");
  });
});
