// Plain-JS helpers shared by jest's global setup/teardown and the test database helper.
import pg from "pg";

export const BASE_DATABASE_URL = process.env.DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/hookrelay";

/** @param {string} name */
export function databaseUrl(name) {
  const url = new URL(BASE_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * @template T
 * @param {(client: pg.Client) => Promise<T>} work
 * @returns {Promise<T>}
 */
export async function withAdminClient(work) {
  const client = new pg.Client({ connectionString: databaseUrl("postgres") });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * @param {pg.Client} client
 * @param {string} name
 */
export async function dropDatabase(client, name) {
  await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}
