import { z } from "zod";

export const createProjectSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
});
export type CreateProjectInput = z.infer<typeof createProjectSchema>;
