import {
  createdApiKeySchema,
  createdProjectSchema,
  createProjectSchema,
  listQuerySchema,
  projectPageSchema,
  projectSchema,
} from "@hookrelay/shared";
import { createApiKey, revokeApiKey } from "../services/api-keys.js";
import { createProject, getProject, listProjects } from "../services/projects.js";
import { route } from "./route.js";

export const projectRoutes = [
  route({
    method: "post",
    path: "/projects",
    auth: "admin",
    summary: "Create a project; its API key is shown only in this answer",
    status: 201,
    response: createdProjectSchema,
    body: createProjectSchema,
    handle: (ctx, { body }) => createProject(ctx.db, body),
  }),
  route({
    method: "get",
    path: "/projects",
    auth: "admin",
    summary: "List projects, newest first",
    status: 200,
    response: projectPageSchema,
    query: listQuerySchema,
    handle: (ctx, { query }) => listProjects(ctx.db, query),
  }),
  route({
    method: "get",
    path: "/projects/:projectId",
    auth: "admin",
    summary: "Get a project",
    status: 200,
    response: projectSchema,
    handle: (ctx, { params }) => getProject(ctx.db, params.projectId ?? ""),
  }),
  route({
    method: "post",
    path: "/projects/:projectId/api-keys",
    auth: "admin",
    summary: "Create another API key for a project (shown once)",
    status: 201,
    response: createdApiKeySchema,
    handle: async (ctx, { params }) => {
      const project = await getProject(ctx.db, params.projectId ?? "");
      return createApiKey(ctx.db, project.id);
    },
  }),
  route({
    method: "delete",
    path: "/projects/:projectId/api-keys/:keyId",
    auth: "admin",
    summary: "Revoke an API key; it is refused at once",
    status: 204,
    handle: (ctx, { params }) => revokeApiKey(ctx, params.projectId ?? "", params.keyId ?? ""),
  }),
];
