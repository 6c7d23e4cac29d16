import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

const FILE_NAME = "admin-api-key";

/**
 * With no ADMIN_API_KEY, the api generates one on first start and keeps it under the data folder (mode
 * 0600) so it survives restarts. `created` tells the caller to show it, once.
 */
export async function loadOrCreateAdminKey(
  dataDir: string,
): Promise<{ key: string; created: boolean; file: string }> {
  const file = path.join(dataDir, FILE_NAME);
  try {
    const key = (await readFile(file, "utf8")).trim();
    if (key.length >= 16) return { key, created: false, file };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  await mkdir(dataDir, { recursive: true });
  const key = `hr_admin_${randomBytes(24).toString("base64url")}`;
  await writeFile(file, `${key}\n`, { mode: 0o600 });
  return { key, created: true, file };
}

/** How long `npm start`'s supervisor may take to confirm it will show the key. */
const HANDOVER_TIMEOUT_MS = 2_000;

/**
 * Shows a just-generated key, once: in `npm start`'s banner when the supervisor (scripts/start.js, over
 * the IPC channel) confirms it takes it, else on stdout. Any other parent with an IPC channel (node
 * --watch, a test runner) never confirms, so the key is never handed to something that drops it.
 * Never a log line: log shippers keep log lines.
 */
export async function showGeneratedAdminKey(
  { key, file }: { key: string; file: string },
  write: (text: string) => void = (text) => process.stdout.write(text),
): Promise<void> {
  if (await handedToSupervisor({ hookrelay: "admin-key", key, file })) return;
  write(`\nhookrelay: generated ADMIN_API_KEY=${key}\n  (kept in ${file})\n\n`);
}

function handedToSupervisor(message: object): Promise<boolean> {
  const send = process.send?.bind(process);
  if (!send) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onReply = (reply: unknown) => {
      if ((reply as { hookrelay?: unknown } | null)?.hookrelay === "admin-key-taken") finish(true);
    };
    const timer = setTimeout(() => finish(false), HANDOVER_TIMEOUT_MS);
    // Listening for replies keeps the IPC channel referenced; removing the listener releases it.
    const finish = (taken: boolean) => {
      clearTimeout(timer);
      process.off("message", onReply);
      resolve(taken);
    };
    process.on("message", onReply);
    send(message, (error: Error | null) => {
      if (error) finish(false);
    });
  });
}
