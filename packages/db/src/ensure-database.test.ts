import { randomBytes } from "node:crypto";
import { databaseUrlFor, ensureDatabase, withServerConnection } from "./ensure-database.js";

const base = process.env.DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/hookrelay";

describe("ensureDatabase", () => {
  const name = `hookrelay_ensure_${randomBytes(4).toString("hex")}`;

  afterAll(() =>
    withServerConnection(base, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)),
  );

  it("creates a missing database once, then leaves it alone", async () => {
    expect(await ensureDatabase(databaseUrlFor(base, name))).toBe(true);
    const found = await withServerConnection(base, (client) =>
      client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]),
    );
    expect(found.rowCount).toBe(1);
    expect(await ensureDatabase(databaseUrlFor(base, name))).toBe(false);
  });

  it("fails clearly when the server cannot be reached", async () => {
    await expect(ensureDatabase("postgresql://postgres@127.0.0.1:1/hookrelay")).rejects.toMatchObject({
      code: "ECONNREFUSED",
    });
  });
});
