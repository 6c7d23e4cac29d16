import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { appCodeDirs } from "../scripts/app-command.js";
import { watchCode } from "../scripts/code-watch.js";
import { supervise } from "../scripts/supervisor.js";
import { eventually } from "./support/receiver.js";

const root = path.resolve(import.meta.dirname, "..");
const POLL_MS = 100;

/** An app that says which version of its code it runs, and stops on SIGTERM. */
function appSource(version: number): string {
  return `
    import { helper } from "./lib/helper.js";
    process.stdout.write("running v${version} " + helper() + "\\n");
    const alive = setInterval(() => undefined, 1000);
    process.on("SIGTERM", () => { clearInterval(alive); process.exit(0); });
  `;
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// `npm run dev` (scripts/dev.js → start.js --watch): an app restarts when the JavaScript it runs changes,
// once per change however many files the compiler writes, and never for a rewrite with the same content.
describe("npm run dev's restarts", () => {
  let dir: string;
  let supervisor: ReturnType<typeof supervise> | undefined;
  let stopWatching: (() => void) | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "hookrelay-dev-"));
    await mkdir(path.join(dir, "dist", "lib"), { recursive: true });
    await writeFile(path.join(dir, "package.json"), '{ "type": "module" }');
    await writeFile(path.join(dir, "dist", "main.js"), appSource(1));
    await writeFile(path.join(dir, "dist", "lib", "helper.js"), 'export const helper = () => "a";');
  });

  afterAll(async () => {
    stopWatching?.();
    await supervisor?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("restarts the app once per change of its code, at once, and not for the same bytes written again", async () => {
    const lines: string[] = [];
    const log = (line: string) => lines.push(line);
    let output = "";
    const app = {
      name: "app",
      start: () => {
        const child = spawn(process.execPath, [path.join(dir, "dist", "main.js")], {
          stdio: ["ignore", "pipe", "inherit"],
        });
        child.stdout?.on("data", (chunk) => {
          output += chunk;
        });
        return child;
      },
    };
    const dist = path.join(dir, "dist");
    stopWatching = await watchCode([dist], () => supervisor?.restart("app", "its code changed"), {
      intervalMs: POLL_MS,
    });
    supervisor = supervise([app], { log });
    await eventually(async () => output.includes("running v1 a"), 10_000);

    // The same bytes again (a full rebuild): nothing happens.
    await writeFile(path.join(dist, "main.js"), appSource(1));
    await writeFile(path.join(dist, "lib", "helper.js"), 'export const helper = () => "a";');
    await sleep(POLL_MS * 10);
    expect(lines.filter((line) => line.startsWith("app restarting"))).toEqual([]);

    // A compiler writing two files one after the other: one restart, running both new files.
    await writeFile(path.join(dist, "lib", "helper.js"), 'export const helper = () => "b";');
    await sleep(POLL_MS / 2);
    await writeFile(path.join(dist, "main.js"), appSource(2));
    await eventually(async () => output.includes("running v2 b"), 10_000);
    await sleep(POLL_MS * 10);
    expect(lines.filter((line) => line.startsWith("app restarting"))).toEqual([
      "app restarting: its code changed",
    ]);
    expect(output).not.toContain("running v1 b");
    expect(output).not.toContain("running v2 a");
    expect(lines.filter((line) => line.startsWith("app started"))).toHaveLength(2);

    // A change of code that makes the app fail at start is not "could not start": it is restarted after
    // the back-off, and the next change restarts it at once.
    await writeFile(path.join(dist, "main.js"), "process.exit(3);");
    await eventually(async () =>
      lines.find((line) => /^app exited \(code 3\).*restarting it in 1 s/.test(line)),
    );
    await writeFile(path.join(dist, "main.js"), appSource(3));
    await eventually(async () => output.includes("running v3 b"), 10_000);
    expect(lines).toContain("app restarting now: its code changed");
    expect(await Promise.race([supervisor.failed, sleep(POLL_MS * 5).then(() => "running")])).toBe("running");
  }, 60_000);
});

describe("the code an app runs", () => {
  it("is its own dist and that of every workspace package it depends on", () => {
    const dist = (dir: string) => path.join(root, dir, "dist");
    for (const app of ["api", "dispatcher"] as const) {
      const dirs = appCodeDirs(app);
      expect(dirs[0]).toBe(dist(`apps/${app}`));
      expect(dirs).toEqual(expect.arrayContaining([dist("packages/shared"), dist("packages/db")]));
      expect(dirs).not.toContain(dist(`apps/${app === "api" ? "dispatcher" : "api"}`));
    }
  });
});
