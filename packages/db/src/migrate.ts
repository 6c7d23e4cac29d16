import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

/** Applies pending migrations from prisma/migrations with the Prisma CLI (`prisma migrate deploy`). */
export async function migrateDatabase(databaseUrl: string): Promise<void> {
  const cli = path.join(root, "node_modules", "prisma", "build", "index.js");
  const child = spawn(process.execPath, [cli, "migrate", "deploy", "--config", "prisma/prisma.config.ts"], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr.on("data", (chunk) => {
    output += chunk;
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", resolve);
  });
  if (code !== 0) throw new Error(`prisma migrate deploy failed (exit ${code}):\n${output.trim()}`);
}
