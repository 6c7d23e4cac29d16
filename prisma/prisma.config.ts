// Prisma CLI configuration (generate, migrate). Runs only in the CLI, never in the apps.
// Prisma 6.19 with the JS schema engine + @prisma/adapter-pg works offline; Prisma 7 would download a
// native schema engine (see STACK.md). The three shims below each work around one upstream problem.
import { randomUUID } from "node:crypto";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { defineConfig } from "prisma/config";
import { DEFAULT_DATABASE_URL } from "../packages/shared/src/config/defaults.ts";

// The schema's `url = env("DATABASE_URL")` must be a valid URL even for `prisma generate`.
process.env.DATABASE_URL ||= DEFAULT_DATABASE_URL;

// Shim 1, prisma/prisma#27403: the JS schema engine fails with "Column type 'name' could not be
// deserialized" because @prisma/adapter-pg does not map pg type OIDs 19 (`name`) and 18 (`"char"`).
// Report those columns as 25 (`text`), which is what they hold.
const TEXT_OID = 25;
const UNMAPPED_TEXT_OIDS = new Set([18, 19]);
type QueryResultLike = { fields?: Array<{ dataTypeID: number }> };
function relabelTextColumns<T>(result: T): T {
  for (const one of (Array.isArray(result) ? result : [result]) as QueryResultLike[]) {
    for (const field of one?.fields ?? []) {
      if (UNMAPPED_TEXT_OIDS.has(field.dataTypeID)) field.dataTypeID = TEXT_OID;
    }
  }
  return result;
}
for (const proto of [pg.Client.prototype, pg.Pool.prototype] as Array<{
  query: (...a: unknown[]) => unknown;
}>) {
  const query = proto.query;
  proto.query = function patchedQuery(this: unknown, ...args: unknown[]) {
    const result = query.apply(this, args);
    return result instanceof Promise ? result.then(relabelTextColumns) : result;
  };
}

// Shim 3: the JS schema engine (`engine: "js"`, Prisma 6.19.3) leaves a 10 s (sometimes 60 s) timer behind
// that keeps every migrate command alive long after it finished (`migrate deploy` with nothing to do took
// 12.7 s). Long timers never hold the CLI process open; `allowExitOnIdle` below does the same for sockets.
const setTimeoutOriginal = globalThis.setTimeout;
globalThis.setTimeout = ((handler: () => void, ms?: number, ...rest: unknown[]) => {
  const timer = setTimeoutOriginal(handler, ms, ...rest);
  if ((ms ?? 0) >= 5_000) timer.unref();
  return timer;
}) as typeof setTimeout;

// Shim 2: @prisma/adapter-pg 6.19's PrismaPg.connectToShadowDb spreads `{...config, database}`, but a
// connectionString overrides `database` (so the shadow replay migrated the main database: "relation
// already exists"), and it drops the shadow database while its pool is still open ("being accessed by
// other users", as in prisma/orm#22845). Use discrete connection fields, close the pool, then DROP … FORCE.
function poolConfigFromUrl(url: string): pg.PoolConfig {
  const parsed = new URL(url);
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 5432),
    user: decodeURIComponent(parsed.username) || "postgres",
    password: decodeURIComponent(parsed.password) || undefined,
    database: decodeURIComponent(parsed.pathname.slice(1)) || "postgres",
    // Idle pooled connections must not keep a finished migrate command alive.
    allowExitOnIdle: true,
  };
}

// Shim 4: @prisma/adapter-pg 6.19's executeScript splits a migration on every ";", which breaks a function
// body (plpgsql) into pieces. Send the script whole: PostgreSQL's simple query protocol runs several
// statements in one message, as psql would.
type ScriptRunner = { executeScript: (script: string) => Promise<void> };
function runScriptsWhole<Adapter extends ScriptRunner>(adapter: Adapter): Adapter {
  const internals = adapter as unknown as { client: pg.Pool; onError: (error: unknown) => never };
  adapter.executeScript = async (script) => {
    try {
      await internals.client.query(script);
    } catch (error) {
      internals.onError(error);
    }
  };
  return adapter;
}

class ShadowSafePrismaPg extends PrismaPg {
  constructor(private readonly poolConfig: pg.PoolConfig) {
    super(poolConfig);
  }

  override async connect() {
    return runScriptsWhole(await super.connect());
  }

  override async connectToShadowDb() {
    const main = await this.connect();
    const database = `prisma_shadow_${randomUUID().replaceAll("-", "")}`;
    await main.executeScript(`CREATE DATABASE "${database}"`);
    const shadow = runScriptsWhole(await new PrismaPg({ ...this.poolConfig, database }).connect());
    const disposeShadow = shadow.dispose.bind(shadow);
    shadow.dispose = async () => {
      await disposeShadow();
      await main.executeScript(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      await main.dispose();
    };
    return shadow;
  }
}

export default defineConfig({
  schema: path.join(import.meta.dirname, "schema.prisma"),
  migrations: { path: path.join(import.meta.dirname, "migrations") },
  engine: "js",
  experimental: { adapter: true },
  adapter: async () =>
    new ShadowSafePrismaPg(poolConfigFromUrl(process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL)),
});
