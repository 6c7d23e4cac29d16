import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

const FILE_NAME = "admin-api-key";

/**
 * With no ADMIN_API_KEY, the api generates one on first start and keeps it under the data folder (mode
 * 0600) so it survives restarts. `created` tells the caller to print it, once.
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
