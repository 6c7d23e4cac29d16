// Once per jest run: one migrated template database; each test file clones it (CREATE DATABASE … TEMPLATE),
// which takes a fraction of a second, so every file gets a fresh, isolated database.
import { randomBytes } from "node:crypto";
import { migrateDatabase } from "@hookrelay/db";
import { databaseUrl, dropDatabase, withAdminClient } from "./postgres-admin.js";

export default async function globalSetup() {
  const run = randomBytes(4).toString("hex");
  const template = `hookrelay_test_${run}_template`;
  await withAdminClient(async (client) => {
    await dropDatabase(client, template);
    await client.query(`CREATE DATABASE "${template}"`);
  });
  await migrateDatabase(databaseUrl(template));
  process.env.HOOKRELAY_TEST_RUN = run;
  process.env.HOOKRELAY_TEST_TEMPLATE = template;
}
