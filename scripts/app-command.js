// How `npm start` and the benchmark run each app (docker-compose.yml, the Dockerfile and the apps' own
// `npm start` pass the same flag). The heap cap keeps memory flat under load: left alone, V8 lets the old
// generation grow for a long time before collecting (dispatcher peak RSS 290 MB draining a 20,000-event
// burst; 179 MB with this cap, at the same throughput).
import { readFileSync } from "node:fs";
import path from "node:path";

const root = path.join(import.meta.dirname, "..");

export const APP_NODE_FLAGS = ["--max-old-space-size=192"];

/** @param {"api" | "dispatcher"} app @returns {string[]} node's arguments */
export function appArguments(app) {
  return [...APP_NODE_FLAGS, path.join(root, "apps", app, "dist", "main.js")];
}

/**
 * The folders holding an app's built code: its own dist and that of every workspace package it depends on
 * (`npm run dev` restarts the app when one of them changes).
 * @param {"api" | "dispatcher"} app
 */
export function appCodeDirs(app) {
  const dirs = new Set();
  const visit = (dir) => {
    const dist = path.join(dir, "dist");
    if (dirs.has(dist)) return;
    dirs.add(dist);
    const manifest = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
    for (const name of Object.keys(manifest.dependencies ?? {})) {
      if (name.startsWith("@hookrelay/"))
        visit(path.join(root, "packages", name.slice("@hookrelay/".length)));
    }
  };
  visit(path.join(root, "apps", app));
  return [...dirs];
}
