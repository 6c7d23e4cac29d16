// Plain-JS helpers shared by jest's global setup/teardown (which cannot load TypeScript) and the tests.
import { databaseUrlFor, withServerConnection } from "@hookrelay/db";

const BASE_DATABASE_URL = process.env.DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/hookrelay";

/** @param {string} name */
export function databaseUrl(name) {
  return databaseUrlFor(BASE_DATABASE_URL, name);
}

/**
 * @template T
 * @param {(client: import("pg").Client) => Promise<T>} work
 * @returns {Promise<T>}
 */
export function withAdminClient(work) {
  return withServerConnection(BASE_DATABASE_URL, work);
}

/**
 * @param {import("pg").Client} client
 * @param {string} name
 */
export async function dropDatabase(client, name) {
  await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}
