// `npm run db:new-migration <name>`: writes prisma/migrations/<timestamp>_<name>/migration.sql with the SQL
// that takes the existing migrations to prisma/schema.prisma. Uses `migrate diff --from-migrations` (which
// replays them in a throw-away shadow database) because `migrate dev --create-only` with the JS schema
// engine writes the file and then crashes while stopping ("null pointer passed to rust", Prisma 6.19.3).
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  process.stderr.write("usage: npm run db:new-migration <name_in_snake_case>\n");
  process.exit(1);
}
const sql = execFileSync(
  process.execPath,
  [
    path.join(root, "node_modules/prisma/build/index.js"),
    ...["migrate", "diff", "--config", "prisma/prisma.config.ts", "--from-migrations", "prisma/migrations"],
    ...["--to-schema-datamodel", "prisma/schema.prisma", "--script"],
  ],
  { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
);
if (sql.includes("This is an empty migration")) {
  process.stdout.write("schema.prisma matches the migrations: nothing to write\n");
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
const folder = path.join(root, "prisma", "migrations", `${stamp}_${name}`);
mkdirSync(folder, { recursive: true });
writeFileSync(path.join(folder, "migration.sql"), sql);
process.stdout.write(`wrote ${path.relative(root, folder)}/migration.sql\n`);
