// Plain-JS helpers shared by jest's global setup/teardown (which cannot load TypeScript) and the tests.
import { databaseUrlFor, withServerConnection } from "@hookrelay/db";
import { DEFAULT_DATABASE_URL } from "@hookrelay/shared";

// Read on each call: the global setup sets DATABASE_URL (e.g. to an embedded PostgreSQL) after importing this.
function baseDatabaseUrl() {
  return process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
}

/** @param {string} name */
export function databaseUrl(name) {
  return databaseUrlFor(baseDatabaseUrl(), name);
}

/**
 * @template T
 * @param {(client: import("pg").Client) => Promise<T>} work
 * @returns {Promise<T>}
 */
export function withAdminClient(work) {
  return withServerConnection(baseDatabaseUrl(), work);
}

/**
 * @param {import("pg").Client} client
 * @param {string} name
 */
export async function dropDatabase(client, name) {
  await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}
