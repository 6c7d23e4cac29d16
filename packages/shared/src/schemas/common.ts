import { z } from "zod";

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
