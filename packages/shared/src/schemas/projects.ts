import type { z } from "zod";
import { storableTextSchema, strictObject } from "./common.js";

export const createProjectSchema = strictObject({
  name: storableTextSchema.trim().min(1).max(200),
});
export type CreateProjectInput = z.infer<typeof createProjectSchema>;
