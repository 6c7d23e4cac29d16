import { randomBytes } from "node:crypto";
import { databaseUrl, dropDatabase, withAdminClient } from "./postgres-admin.js";

export interface TestDatabase {
  url: string;
  drop: () => Promise<void>;
}

/** A fresh, migrated database for one test file, cloned from the run's template. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const run = process.env.HOOKRELAY_TEST_RUN;
  const template = process.env.HOOKRELAY_TEST_TEMPLATE;
  if (!run || !template) throw new Error("the tests workspace's jest globalSetup did not run");
  const name = `hookrelay_test_${run}_${randomBytes(4).toString("hex")}`;
  await withAdminClient((client) => client.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`));
  return {
    url: databaseUrl(name),
    drop: () => withAdminClient((client) => dropDatabase(client, name)),
  };
}
