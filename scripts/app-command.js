// How `npm start` and the benchmark run each app (docker-compose.yml, the Dockerfile and the apps' own
// `npm start` pass the same flag). The heap cap keeps memory flat under load: left alone, V8 lets the old
// generation grow for a long time before collecting (dispatcher peak RSS 290 MB draining a 20,000-event
// burst; 179 MB with this cap, at the same throughput).
import path from "node:path";

export const APP_NODE_FLAGS = ["--max-old-space-size=192"];

/** @param {"api" | "dispatcher"} app @returns {string[]} node's arguments */
export function appArguments(app) {
  return [...APP_NODE_FLAGS, path.join(import.meta.dirname, "..", "apps", app, "dist", "main.js")];
}
