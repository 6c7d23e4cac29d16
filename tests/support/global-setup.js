// Once per jest run: the PostgreSQL and Redis of `npm start` (DATABASE_URL / REDIS_URL, else the local
// defaults, else an embedded PostgreSQL and a redis-server in a temporary folder), and one migrated
// template database; each test file clones it (CREATE DATABASE … TEMPLATE), which takes a fraction of a
// second, so every file gets a fresh, isolated database. The workers inherit the URLs through process.env.
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { migrateDatabase } from "@hookrelay/db";
import { startLocalServices } from "../../scripts/local-services/index.js";
import { databaseUrl, dropDatabase, withAdminClient } from "./postgres-admin.js";

export default async function globalSetup() {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "hookrelay-test-"));
  // Run as root, the embedded PostgreSQL runs as the `postgres` user, which must reach its folder.
  await chmod(dataDir, 0o755);
  const services = await startLocalServices({
    dataDir,
    persistent: false,
    log: (line) => process.stderr.write(`hookrelay tests: ${line}\n`),
  }).catch(async (error) => {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  });
  // Read by global-teardown.js, which jest runs in this same process.
  globalThis.hookrelayTestServices = { services, dataDir };
  process.env.DATABASE_URL = services.databaseUrl;
  process.env.REDIS_URL = services.redisUrl;

  const run = randomBytes(4).toString("hex");
  const template = `hookrelay_test_${run}_template`;
  try {
    await withAdminClient(async (client) => {
      await dropDatabase(client, template);
      await client.query(`CREATE DATABASE "${template}"`);
    });
    await migrateDatabase(databaseUrl(template));
  } catch (error) {
    // jest skips the teardown when the setup fails.
    await services.stop();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  process.env.HOOKRELAY_TEST_RUN = run;
  process.env.HOOKRELAY_TEST_TEMPLATE = template;
}
