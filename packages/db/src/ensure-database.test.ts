import { randomBytes } from "node:crypto";
import pg from "pg";
import { ensureDatabase } from "./ensure-database.js";

const base = process.env.DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/hookrelay";

function urlFor(database: string): string {
  const url = new URL(base);
  url.pathname = `/${database}`;
  return url.toString();
}

async function onServer<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: urlFor("postgres") });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

describe("ensureDatabase", () => {
  const name = `hookrelay_ensure_${randomBytes(4).toString("hex")}`;

  afterAll(() => onServer((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)));

  it("creates a missing database once, then leaves it alone", async () => {
    expect(await ensureDatabase(urlFor(name))).toBe(true);
    const found = await onServer((client) => client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]));
    expect(found.rowCount).toBe(1);
    expect(await ensureDatabase(urlFor(name))).toBe(false);
  });

  it("fails clearly when the server cannot be reached", async () => {
    await expect(ensureDatabase("postgresql://postgres@127.0.0.1:1/hookrelay")).rejects.toMatchObject({
      code: "ECONNREFUSED",
    });
  });
});
