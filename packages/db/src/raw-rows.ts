import type { Prisma } from "./generated/prisma/client.js";

// Raw SQL bypasses Prisma's schema, so a renamed column would only fail in production. Every raw statement
// is therefore declared with `rawQuery`: the table columns it names and the row it returns, with
// PostgreSQL's own type names. tests/raw-rows.test.ts runs each declared statement against a migrated
// database and compares what PostgreSQL describes with the declaration, and looks every named column up in
// information_schema.

/** The TypeScript value Prisma's `$queryRaw` (over node-postgres) gives for each PostgreSQL type. */
interface PgValues {
  text: string;
  bool: boolean;
  int4: number;
  int8: bigint;
  float8: number;
  timestamptz: Date;
  jsonb: unknown;
  _text: string[];
  void: null;
}

/** A `pg_type.typname` as PostgreSQL reports the column's type in a result. */
export type PgType = keyof PgValues;

/** A result column's type; `| null` when the column can be null. */
export type ColumnType = PgType | `${PgType} | null`;

export type RowSpec = Readonly<Record<string, ColumnType>>;

type ValueOf<T extends ColumnType> = T extends `${infer Base extends PgType} | null`
  ? PgValues[Base] | null
  : T extends PgType
    ? PgValues[T]
    : never;

/** The row type a declared row spec gives. */
export type RowOf<Spec extends RowSpec> = { -readonly [Column in keyof Spec]: ValueOf<Spec[Column]> };

/** `$queryRaw`/`$executeRaw` of the client or of an interactive transaction. */
export type RawClient = Pick<Prisma.TransactionClient, "$queryRaw" | "$executeRaw">;

export interface RawQuery<Args extends unknown[] = unknown[], Spec extends RowSpec = RowSpec> {
  /** Unique; the schema test finds each statement's sample arguments by it. */
  readonly name: string;
  /** Every table column the statement names, by table. */
  readonly columns: Readonly<Record<string, readonly string[]>>;
  /** The columns of each returned row; `{}` for a statement that returns none. */
  readonly row: Spec;
  readonly sql: (...args: Args) => Prisma.Sql;
  // Prisma's lazy promises: the statement runs when awaited, or as one of a batch `$transaction([...])`.
  /** The returned rows. */
  rows(db: RawClient, ...args: Args): Prisma.PrismaPromise<RowOf<Spec>[]>;
  /** The number of rows the statement changed. */
  execute(db: RawClient, ...args: Args): Prisma.PrismaPromise<number>;
}

const declared = new Map<string, RawQuery<unknown[], RowSpec>>();

/** Declares a raw statement (see the note at the top of this file). */
export function rawQuery<Args extends unknown[], const Spec extends RowSpec>(definition: {
  name: string;
  columns: Readonly<Record<string, readonly string[]>>;
  row: Spec;
  sql: (...args: Args) => Prisma.Sql;
}): RawQuery<Args, Spec> {
  if (declared.has(definition.name)) throw new Error(`raw query "${definition.name}" is declared twice`);
  const query: RawQuery<Args, Spec> = {
    ...definition,
    rows: (db, ...args) => db.$queryRaw<RowOf<Spec>[]>(definition.sql(...args)),
    execute: (db, ...args) => db.$executeRaw(definition.sql(...args)),
  };
  declared.set(query.name, query as unknown as RawQuery<unknown[], RowSpec>);
  return query;
}

/** Every raw statement declared by the modules loaded so far (all of them once the package index is). */
export function declaredRawQueries(): ReadonlyArray<RawQuery<unknown[], RowSpec>> {
  return [...declared.values()];
}
