// `npm run dev`: tells when an app's built code (the JavaScript in its dist folders) has changed, so the
// supervisor can restart it. Polls instead of fs.watch: a folder that is deleted and built again is still
// seen, on Linux and macOS alike. A change counts once the files have stopped changing (a compiler writes
// them one by one), and only if their content differs: rewriting a file with the same bytes (a full
// rebuild, a build cache restoring its outputs) restarts nothing.
import { createHash } from "node:crypto";
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";

export const POLL_INTERVAL_MS = 500;

/** Every .js file under `dirs`, sorted, with `mtime:size` (cheap to take, changes on every write). */
async function jsFiles(dirs) {
  const found = [];
  for (const dir of dirs) {
    const names = await readdir(dir, { recursive: true }).catch(() => []);
    for (const name of names) {
      if (!name.endsWith(".js")) continue;
      const file = path.join(dir, name);
      const info = await stat(file).catch(() => undefined);
      if (info?.isFile()) found.push({ file, stamp: `${info.mtimeMs}:${info.size}` });
    }
  }
  return found.sort((a, b) => a.file.localeCompare(b.file));
}

async function stamps(dirs) {
  return (await jsFiles(dirs)).map(({ file, stamp }) => `${file}:${stamp}`).join("\n");
}

/** A hash of the names and contents of every .js file under `dirs`. */
async function contentHash(dirs) {
  const hash = createHash("sha256");
  for (const { file } of await jsFiles(dirs)) {
    hash.update(`${file}\0`);
    hash.update(await readFile(file).catch(() => Buffer.alloc(0)));
  }
  return hash.digest("hex");
}

/**
 * Calls `onChange` each time the code under `dirs` settles with a content different from the last one.
 * @param {string[]} dirs
 * @param {() => void} onChange
 * @param {{ intervalMs?: number }} [options]
 * @returns {Promise<() => void>} resolves once the starting content is known; the function stops watching
 */
export async function watchCode(dirs, onChange, { intervalMs = POLL_INTERVAL_MS } = {}) {
  let lastStamps = await stamps(dirs);
  let lastContent = await contentHash(dirs);
  let settling = false;
  let stopped = false;
  /** @type {NodeJS.Timeout | undefined} */
  let timer;

  const poll = async () => {
    try {
      const now = await stamps(dirs);
      if (now !== lastStamps) {
        // Still being written: look again once it has been quiet for a whole interval.
        lastStamps = now;
        settling = true;
      } else if (settling) {
        settling = false;
        const content = await contentHash(dirs);
        if (content !== lastContent) {
          lastContent = content;
          if (!stopped) onChange();
        }
      }
    } finally {
      if (!stopped) timer = setTimeout(poll, intervalMs);
    }
  };
  timer = setTimeout(poll, intervalMs);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
