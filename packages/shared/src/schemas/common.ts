import { z } from "zod";

export const listQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(250).default(50),
  cursor: z.string().max(64).optional(),
});
export type ListQuery = z.infer<typeof listQuerySchema>;

export interface ListPage<T> {
  data: T[];
  next_cursor: string | null;
}
