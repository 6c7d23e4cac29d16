import {
  createSourceSchema,
  deleteSourceQuerySchema,
  listQuerySchema,
  sourcePageSchema,
  sourceSchema,
  updateSourceSchema,
} from "@hookrelay/shared";
import { z } from "zod";
import {
  createSource,
  deleteSource,
  getSource,
  listSources,
  sourceInstallSql,
  updateSource,
} from "../services/sources.js";
import { reply, route } from "./route.js";

const base = "/projects/:projectId/sources";

export const sourceRoutes = [
  route({
    method: "post",
    path: base,
    auth: "admin",
    summary:
      "Capture row changes of tables in a PostgreSQL database as events of the project (installs a trigger per table)",
    status: 201,
    response: sourceSchema,
    errors: { 503: "unavailable: the source database went away mid-install; the outcome is unknown" },
    body: createSourceSchema,
    handle: (ctx, { params, body }) => createSource(ctx, params.projectId ?? "", body),
  }),
  route({
    method: "get",
    path: base,
    auth: "admin",
    summary: "List database change sources, newest first",
    status: 200,
    response: sourcePageSchema,
    query: listQuerySchema,
    handle: (ctx, { params, query }) => listSources(ctx, params.projectId ?? "", query),
  }),
  route({
    method: "get",
    path: `${base}/:sourceId`,
    auth: "admin",
    summary: "Get a source with its status and backlog (never its connection string)",
    status: 200,
    response: sourceSchema,
    handle: (ctx, { params }) => getSource(ctx, params.projectId ?? "", params.sourceId ?? ""),
  }),
  route({
    method: "patch",
    path: `${base}/:sourceId`,
    auth: "admin",
    summary: "Rename, change the captured tables (reinstalls their triggers), or pause/resume capture",
    status: 200,
    response: sourceSchema,
    body: updateSourceSchema,
    handle: (ctx, { params, body }) => updateSource(ctx, params.projectId ?? "", params.sourceId ?? "", body),
  }),
  route({
    method: "delete",
    path: `${base}/:sourceId`,
    auth: "admin",
    summary:
      "Remove a source's triggers and recorded changes (the schema with the last source); ?force=true forgets it without touching its database",
    status: 204,
    query: deleteSourceQuerySchema,
    handle: (ctx, { params, query }) =>
      deleteSource(ctx, params.projectId ?? "", params.sourceId ?? "", query.force),
  }),
  route({
    method: "get",
    path: `${base}/:sourceId/install.sql`,
    auth: "admin",
    summary: "The SQL that installs this source's capture, for a DBA to run when hookrelay's role may not",
    status: 200,
    response: z.string(),
    responseType: "text/plain",
    handle: async (ctx, { params }) =>
      reply(200, await sourceInstallSql(ctx, params.projectId ?? "", params.sourceId ?? ""), "text/plain"),
  }),
];
