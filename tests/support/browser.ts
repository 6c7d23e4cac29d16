import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type BrowserContext, chromium, type Locator, type Page } from "playwright-core";
import { findChromium } from "./chromium.js";

// An installed Chromium (or Chrome) driven by playwright-core, which downloads no browser: CHROMIUM_PATH or
// the usual install paths (findChromium). .ci/run installs Debian's when there is none.

// Headless as root; the networking flags stop Chromium calling home, which this machine's closed network
// refuses (many failed connections per start otherwise).
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Screenshots taken during test runs (gitignored). */
export const ARTIFACTS_DIR = path.resolve(import.meta.dirname, "../artifacts");

export interface BrowserSession {
  page: Page;
  context: BrowserContext;
  /** Console errors and page errors (a CSP violation is reported as one), for asserting there are none. */
  problems: string[];
  close: () => Promise<void>;
}

/** A fresh Chromium profile with one page; `httpCredentials` answers basic-auth challenges. */
export async function openBrowser(options: {
  baseURL: string;
  httpCredentials?: { username: string; password: string };
}): Promise<BrowserSession> {
  const executablePath = findChromium();
  const userDataDir = await mkdtemp(path.join(tmpdir(), "hookrelay-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS,
    baseURL: options.baseURL,
    httpCredentials: options.httpCredentials,
    viewport: { width: 1280, height: 900 },
    timeout: 20_000,
  });
  context.setDefaultTimeout(5_000);
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(message.text());
  });
  page.on("pageerror", (error) => problems.push(error.message));
  return {
    page,
    context,
    problems,
    async close() {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Saves a full-page screenshot under tests/artifacts/ and prints where. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  process.stdout.write(`screenshot: ${file}\n`);
  return file;
}

/** The background color the browser painted an element with (proves the stylesheet loaded under the CSP). */
export function paintedBackground(locator: Locator): Promise<string> {
  // Runs in the page; the tests' TypeScript has no DOM library, hence the narrow cast.
  type View = { getComputedStyle: (element: unknown) => { backgroundColor: string } };
  return locator.evaluate(
    (element) => (globalThis as unknown as View).getComputedStyle(element).backgroundColor,
  );
}
