import { randomBytes } from "node:crypto";
import pg from "pg";
import { databaseUrl, dropDatabase, withAdminClient } from "./postgres-admin.js";

/** A product's own database, separate from hookrelay's: what a database change source captures. */
export interface SourceDatabase {
  name: string;
  /** Connection string of the server's admin role (the one the tests run PostgreSQL with). */
  url: string;
  /** One statement (or a `;`-separated script without parameters) on a fresh connection. */
  query: (sql: string, params?: unknown[]) => Promise<pg.QueryResult>;
  /** Runs `work` inside BEGIN … COMMIT (ROLLBACK when it throws) on one connection. */
  transaction: <T>(work: (client: pg.Client) => Promise<T>) => Promise<T>;
  drop: () => Promise<void>;
}

export async function createSourceDatabase(): Promise<SourceDatabase> {
  const name = `hookrelay_source_${process.env.HOOKRELAY_TEST_RUN ?? "x"}_${randomBytes(4).toString("hex")}`;
  await withAdminClient((client) => client.query(`CREATE DATABASE "${name}"`));
  const url = databaseUrl(name);
  const withClient = async <T>(work: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };
  return {
    name,
    url,
    query: (sql, params) => withClient((client) => client.query(sql, params)),
    transaction: (work) =>
      withClient(async (client) => {
        await client.query("BEGIN");
        try {
          const result = await work(client);
          await client.query("COMMIT");
          return result;
        } catch (error) {
          await client.query("ROLLBACK");
          throw error;
        }
      }),
    drop: () => withAdminClient((client) => dropDatabase(client, name)),
  };
}
