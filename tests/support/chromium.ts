import { existsSync } from "node:fs";

// Where a Chromium or Chrome usually is: Debian/Ubuntu packages and snap, Google's packages, macOS apps.
export const CHROMIUM_CANDIDATES = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/snap/bin/chromium",
  "/usr/bin/google-chrome",
  "/usr/bin/google-chrome-stable",
  "/opt/google/chrome/chrome",
  "/Applications/Chromium.app/Contents/MacOS/Chromium",
  "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
];

const HOW_TO_GET_ONE =
  "install one (Debian/Ubuntu: apt-get install -y chromium; macOS: brew install --cask chromium) or set CHROMIUM_PATH";

/**
 * The browser the dashboard's browser test drives: CHROMIUM_PATH when set, else the first of the usual
 * install paths that exists. Throws one line saying how to get one when there is none.
 */
export function findChromium(
  env: Record<string, string | undefined> = process.env,
  exists: (file: string) => boolean = existsSync,
): string {
  const chosen = env.CHROMIUM_PATH;
  if (chosen) {
    if (exists(chosen)) return chosen;
    throw new Error(`CHROMIUM_PATH=${chosen} does not exist: ${HOW_TO_GET_ONE}`);
  }
  const found = CHROMIUM_CANDIDATES.find((file) => exists(file));
  if (found) return found;
  throw new Error(
    `no Chromium or Chrome found (looked in ${CHROMIUM_CANDIDATES.join(", ")}): ${HOW_TO_GET_ONE}`,
  );
}
