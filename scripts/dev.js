// `npm run dev`: `npm start` that follows the code. One `tsc --watch` per workspace package the apps run
// (each package builds on its own, as with `turbo run build`); once they have all compiled, start.js runs
// with --watch and restarts an app when the JavaScript it runs has changed (code-watch.js). Compiler
// errors are printed, prefixed by the package; everything else tsc says is left out.
// Ctrl-C or SIGTERM stops the apps gracefully (start.js), then the compilers.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import readline from "node:readline";
import { appCodeDirs } from "./app-command.js";

const root = path.resolve(import.meta.dirname, "..");
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const log = (line) => process.stdout.write(`hookrelay dev: ${line}\n`);

const packages = [...new Set([...appCodeDirs("api"), ...appCodeDirs("dispatcher")])].map((dist) =>
  path.dirname(dist),
);

let stopping = false;
/** @type {import("node:child_process").ChildProcess | undefined} */
let start;

/** Resolves once `--watch` has finished its first compilation. */
function watchPackage(dir) {
  const name = path.basename(dir);
  const compiler = spawn(
    process.execPath,
    [tsc, "-p", "tsconfig.build.json", "--watch", "--preserveWatchOutput"],
    { cwd: dir, stdio: ["ignore", "pipe", "inherit"] },
  );
  compiler.on("exit", (code, signal) => {
    if (stopping) return;
    // A terminal's Ctrl-C reaches the compilers too, maybe before us: that is a stop, not a failure.
    if (signal === "SIGINT" || signal === "SIGTERM") return void stop(0);
    log(`the compiler of ${name} exited (${signal ?? `code ${code}`}); stopping`);
    void stop(1);
  });
  return {
    compiler,
    compiled: new Promise((resolve) => {
      /** @type {string[]} */
      let diagnostics = [];
      let errors = 0;
      readline.createInterface({ input: compiler.stdout }).on("line", (line) => {
        const found = /Found (\d+) errors?\. Watching for file changes\./.exec(line);
        if (!found) {
          // Two status lines announce a compilation; the others are its diagnostics.
          if (line.trim() && !/Starting (incremental )?compilation/.test(line)) diagnostics.push(line);
          return;
        }
        const count = Number(found[1]);
        if (count > 0) for (const diagnostic of diagnostics) log(`${name}: ${diagnostic}`);
        else if (errors > 0) log(`${name} compiles again`);
        errors = count;
        diagnostics = [];
        resolve(undefined);
      });
    }),
  };
}

const watchers = packages.map(watchPackage);

/** @param {number} code */
async function stop(code) {
  if (stopping) return;
  stopping = true;
  if (start && start.exitCode === null && start.signalCode === null) {
    const exited = new Promise((resolve) => start?.once("exit", resolve));
    start.kill("SIGTERM");
    await exited;
  }
  for (const { compiler } of watchers) compiler.kill("SIGTERM");
  process.exit(code);
}

for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => void stop(0));

log(`compiling ${packages.map((dir) => path.basename(dir)).join(", ")} in watch mode`);
await Promise.all(watchers.map(({ compiled }) => compiled));
if (!stopping) {
  start = spawn(process.execPath, [path.join(root, "scripts", "start.js"), "--watch"], {
    cwd: root,
    stdio: "inherit",
  });
  start.on("exit", (code) => void stop(code ?? 1));
}
