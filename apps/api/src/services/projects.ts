import type { Database, Project } from "@hookrelay/db";
import { type CreateProjectInput, type ListQuery, newId, type ProjectView } from "@hookrelay/shared";
import { notFound } from "../errors.js";
import { createApiKey } from "./api-keys.js";
import { pageByKeyset } from "./pagination.js";

export function presentProject(project: Project): ProjectView {
  return { id: project.id, name: project.name, created_at: project.createdAt.toISOString() };
}

/** Creates a project with its first API key; the key is in this answer only. */
export async function createProject(db: Database, input: CreateProjectInput) {
  return db.$transaction(async (tx) => {
    const project = await tx.project.create({ data: { id: newId("project"), name: input.name } });
    const key = await createApiKey(tx, project.id);
    return { ...presentProject(project), api_key: key.api_key };
  });
}

export function listProjects(db: Database, query: ListQuery) {
  return pageByKeyset(query, "desc", (args) => db.project.findMany(args), presentProject);
}

export async function getProject(db: Database, projectId: string) {
  const project = await db.project.findUnique({ where: { id: projectId } });
  if (!project) throw notFound("project");
  return presentProject(project);
}
