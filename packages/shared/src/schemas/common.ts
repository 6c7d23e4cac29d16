import { z } from "zod";

/**
 * Free text stored in a PostgreSQL text column, which cannot hold the NUL character. JSON bodies refuse
 * `\u0000` before any schema; this is for text that arrives otherwise (the dashboard's forms).
 */
export const storableTextSchema = z
  .string()
  .refine((text) => !text.includes("\u0000"), "must not contain the NUL character (\\u0000)");

const LISTED_KEYS = 5;

/**
 * `z.strictObject` whose refusal of unknown keys names the first few: zod's own message lists every one,
 * so a body of 100,000 keys would be answered with megabytes.
 */
export function strictObject<Shape extends z.ZodRawShape>(shape: Shape) {
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code !== "unrecognized_keys") return undefined;
      const { keys } = issue;
      const listed = keys.slice(0, LISTED_KEYS).map((key) => JSON.stringify(key));
      const more = keys.length > LISTED_KEYS ? `, … (${keys.length} in all)` : "";
      return `Unrecognized key${keys.length === 1 ? "" : "s"}: ${listed.join(", ")}${more}`;
    },
  });
}

export const listQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(250).default(50),
  cursor: z.string().max(64).optional(),
});
export type ListQuery = z.infer<typeof listQuerySchema>;

/** An ISO 8601 timestamp with a zone (`2026-11-23T10:00:00Z`), read as a Date. */
export const timestampSchema = z.iso.datetime({ offset: true }).transform((text) => new Date(text));

export const timeWindowFields = {
  since: timestampSchema.optional(),
  until: timestampSchema.optional(),
};

export interface ListPage<T> {
  data: T[];
  next_cursor: string | null;
}
