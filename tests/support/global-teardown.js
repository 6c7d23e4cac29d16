import { rm } from "node:fs/promises";
import { dropDatabase, withAdminClient } from "./postgres-admin.js";

export default async function globalTeardown() {
  const run = process.env.HOOKRELAY_TEST_RUN;
  if (run) {
    await withAdminClient(async (client) => {
      const { rows } = await client.query("SELECT datname FROM pg_database WHERE datname LIKE $1", [
        `hookrelay_test_${run}_%`,
      ]);
      for (const { datname } of rows) await dropDatabase(client, datname);
    });
  }
  const started = globalThis.hookrelayTestServices;
  if (!started) return;
  delete globalThis.hookrelayTestServices;
  await started.services.stop();
  await rm(started.dataDir, { recursive: true, force: true });
}
