import { z } from "zod";
import { instantSchema, listPageSchema, storableTextSchema, strictObject } from "./common.js";

/** A PostgreSQL name hookrelay accepts for a schema, table or column: always quoted when used in SQL. */
export const SQL_IDENTIFIER_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

const identifier = z
  .string()
  .min(1)
  .max(63)
  .regex(
    SQL_IDENTIFIER_PATTERN,
    "must be a plain identifier (letters, digits and _, not starting with a digit)",
  );

export const CHANGE_OPERATIONS = ["INSERT", "UPDATE", "DELETE"] as const;
export type ChangeOperation = (typeof CHANGE_OPERATIONS)[number];

export const sourceTableSchema = strictObject({
  schema: identifier.default("public"),
  table: identifier,
  events: z
    .array(z.enum(CHANGE_OPERATIONS))
    .min(1)
    .transform((events) => CHANGE_OPERATIONS.filter((operation) => events.includes(operation)))
    .default([...CHANGE_OPERATIONS]),
  columns: z.array(identifier).min(1).max(100).nullish(),
});
export type SourceTable = {
  schema: string;
  table: string;
  events: ChangeOperation[];
  columns: string[] | null;
};

const sourceTablesSchema = z
  .array(sourceTableSchema)
  .min(1)
  .max(100)
  .transform((tables) =>
    tables.map(
      (table): SourceTable => ({
        schema: table.schema,
        table: table.table,
        events: table.events,
        columns: table.columns ?? null,
      }),
    ),
  )
  .superRefine((tables, ctx) => {
    const seen = new Set<string>();
    tables.forEach((table, index) => {
      const key = `${table.schema}.${table.table}`;
      if (seen.has(key))
        ctx.addIssue({ code: "custom", path: [index, "table"], message: `${key} is listed twice` });
      seen.add(key);
    });
  });

export const sourceDatabaseUrlSchema = z
  .string()
  .max(2048)
  .refine((text) => {
    const url = URL.parse(text);
    return (
      url !== null && (url.protocol === "postgres:" || url.protocol === "postgresql:") && url.hostname !== ""
    );
  }, "must be a postgresql:// URL with a host");

export const createSourceSchema = strictObject({
  name: storableTextSchema.min(1).max(200),
  database_url: sourceDatabaseUrlSchema,
  tables: sourceTablesSchema,
  enabled: z.boolean().optional(),
});
export type CreateSourceInput = z.infer<typeof createSourceSchema>;

export const updateSourceSchema = strictObject({
  name: storableTextSchema.min(1).max(200).optional(),
  tables: sourceTablesSchema.optional(),
  enabled: z.boolean().optional(),
}).refine((patch) => Object.keys(patch).length > 0, "nothing to update");
export type UpdateSourceInput = z.infer<typeof updateSourceSchema>;

export const deleteSourceQuerySchema = z.object({
  force: z
    .enum(["true", "false"])
    .default("false")
    .transform((text) => text === "true"),
});

/** Where the admin API serves a source's install script (the route is declared in the api). */
export function sourceInstallSqlPath(projectId: string, sourceId: string): string {
  return `/v1/projects/${projectId}/sources/${sourceId}/install.sql`;
}

/** `db.<schema>.<table>.<operation>`, lower case: the event type of a captured change. */
export function changeEventType(schema: string, table: string, operation: string): string {
  return `db.${schema}.${table}.${operation}`.toLowerCase();
}

export const sourceSchema = z
  .object({
    id: z.string(),
    project_id: z.string(),
    name: z.string(),
    database: z.string().describe("host:port/dbname (never the connection string)"),
    tables: z.array(
      z.object({
        schema: z.string(),
        table: z.string(),
        events: z.array(z.enum(CHANGE_OPERATIONS)),
        columns: z.array(z.string()).nullable(),
      }),
    ),
    enabled: z.boolean(),
    status: z.enum(["active", "error"]),
    last_error: z.string().nullable(),
    pending_changes: z.number().int().describe("changes recorded in the source database, not yet events"),
    oldest_pending_at: instantSchema.nullable(),
    created_at: instantSchema,
    updated_at: instantSchema,
  })
  .meta({ id: "Source" });
export type SourceView = z.infer<typeof sourceSchema>;

export const sourcePageSchema = listPageSchema(sourceSchema).meta({ id: "SourcePage" });
