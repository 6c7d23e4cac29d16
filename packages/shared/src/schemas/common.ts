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

// Responses. Services type their answers with these, and /openapi.json documents them: one source of truth.

/** An instant as the API writes it: ISO 8601 in UTC (`2026-11-23T10:00:00.000Z`). */
export const instantSchema = z.iso.datetime();

/** One page of a list, newest or oldest first by id; `next_cursor` is null on the last page. */
export function listPageSchema<Item extends z.ZodType>(item: Item) {
  return z.object({
    data: z.array(item),
    next_cursor: z.string().nullable().describe("pass as `cursor` for the next page; null on the last"),
  });
}

/** The SPEC's error codes. */
export const ERROR_CODES = [
  "validation_error",
  "not_found",
  "unauthorized",
  "forbidden",
  "conflict",
  "limit_exceeded",
  "payload_too_large",
  "unavailable",
  "internal",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const errorResponseSchema = z
  .object({
    error: z.object({
      code: z.enum(ERROR_CODES),
      message: z.string(),
      details: z
        .array(z.object({ path: z.string(), message: z.string() }))
        .optional()
        .describe("one entry per refused field, for validation errors"),
    }),
  })
  .meta({ id: "Error" });
export type ErrorResponse = z.infer<typeof errorResponseSchema>;
