import { CHROMIUM_CANDIDATES, findChromium } from "./support/chromium.js";

// Which browser the browser test uses, and the one line it fails with when there is none (pure logic:
// the file system is a set of paths here).
describe("finding a Chromium for the browser test", () => {
  const existing =
    (...files: string[]) =>
    (file: string) =>
      files.includes(file);

  it("takes CHROMIUM_PATH first, then the usual install paths in order", () => {
    expect(
      findChromium({ CHROMIUM_PATH: "/opt/c/chrome" }, existing("/opt/c/chrome", "/usr/bin/chromium")),
    ).toBe("/opt/c/chrome");
    expect(findChromium({}, existing("/usr/bin/google-chrome", "/snap/bin/chromium"))).toBe(
      "/snap/bin/chromium",
    );
    expect(findChromium({}, existing("/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"))).toBe(
      "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    );
  });

  it("fails with one line saying how to get one", () => {
    const none = () => findChromium({}, existing());
    expect(none).toThrow(
      /^no Chromium or Chrome found \(looked in .*\): install one \(Debian\/Ubuntu: apt-get install -y chromium; macOS: brew install --cask chromium\) or set CHROMIUM_PATH$/,
    );
    expect(none).toThrow(CHROMIUM_CANDIDATES[0]);
    expect(() => findChromium({ CHROMIUM_PATH: "/nope" }, existing("/usr/bin/chromium"))).toThrow(
      /^CHROMIUM_PATH=\/nope does not exist: install one/,
    );
  });
});
