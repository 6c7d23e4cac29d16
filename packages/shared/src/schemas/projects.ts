import { z } from "zod";
import { instantSchema, listPageSchema, storableTextSchema, strictObject } from "./common.js";

export const createProjectSchema = strictObject({
  name: storableTextSchema.trim().min(1).max(200),
});
export type CreateProjectInput = z.infer<typeof createProjectSchema>;

export const projectSchema = z
  .object({ id: z.string(), name: z.string(), created_at: instantSchema })
  .meta({ id: "Project" });
export type ProjectView = z.infer<typeof projectSchema>;

export const createdProjectSchema = projectSchema
  .extend({ api_key: z.string().describe("the project's first API key, shown only in this answer") })
  .meta({ id: "CreatedProject" });

export const createdApiKeySchema = z
  .object({
    id: z.string(),
    api_key: z.string().describe("shown only in this answer"),
    prefix: z.string().describe("the key's first characters, to recognise it later"),
    created_at: instantSchema,
  })
  .meta({ id: "CreatedApiKey" });

export const projectPageSchema = listPageSchema(projectSchema).meta({ id: "ProjectPage" });
