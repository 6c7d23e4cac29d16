import { HOOKRELAY_VERSION } from "@hookrelay/shared";
import { z } from "zod";
import type { Route } from "./routes/route.js";

const errorSchema = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: {
        code: {
          type: "string",
          enum: [
            "validation_error",
            "not_found",
            "unauthorized",
            "forbidden",
            "conflict",
            "limit_exceeded",
            "payload_too_large",
            "unavailable",
            "internal",
          ],
        },
        message: { type: "string" },
        details: { type: "array", items: {} },
      },
    },
  },
};

function jsonSchema(schema: z.ZodType) {
  return z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });
}

/** `/project/:projectId/x` → `/v1/project/{projectId}/x` */
export function openApiPath(path: string): string {
  return `/v1${path.replace(/:(\w+)/g, "{$1}")}`;
}

/** The OpenAPI 3.1 document, generated from the same route declarations and zod schemas the router uses. */
export function openApiDocument(routes: Route[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const one of routes) {
    const parameters: unknown[] = [...one.path.matchAll(/:(\w+)/g)].map(([, name]) => ({
      name,
      in: "path",
      required: true,
      schema: { type: "string" },
    }));
    if (one.query) {
      const query = jsonSchema(one.query) as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, schema] of Object.entries(query.properties ?? {})) {
        parameters.push({ name, in: "query", required: query.required?.includes(name) ?? false, schema });
      }
    }
    const errors = Object.fromEntries(
      [
        ["401", "missing, unknown or revoked key"],
        ...(one.auth === "project" ? [["403", "the key belongs to another project"]] : []),
        ["404", "not found"],
        ["422", "the request breaks the schema"],
      ].map(([status, description]) => [
        status,
        { description, content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
      ]),
    );
    paths[openApiPath(one.path)] ??= {};
    const item = paths[openApiPath(one.path)] as Record<string, unknown>;
    item[one.method] = {
      summary: one.summary,
      operationId: `${one.method}${openApiPath(one.path)
        .replace(/[{}]/g, "")
        .replace(/\/(\w)/g, (_, c: string) => c.toUpperCase())
        .replace(/[^A-Za-z0-9]/g, "")}`,
      security: [{ [one.auth === "admin" ? "adminKey" : "projectKey"]: [] }],
      parameters,
      ...(one.body && {
        requestBody: { required: true, content: { "application/json": { schema: jsonSchema(one.body) } } },
      }),
      responses: { [String(one.status)]: { description: "success" }, ...errors },
    };
  }
  return {
    openapi: "3.1.0",
    info: { title: "hookrelay", version: HOOKRELAY_VERSION, description: "Self-hosted webhook delivery" },
    servers: [{ url: "/" }],
    components: {
      securitySchemes: {
        adminKey: { type: "http", scheme: "bearer", description: "ADMIN_API_KEY" },
        projectKey: { type: "http", scheme: "bearer", description: "a project's API key" },
      },
      schemas: { Error: errorSchema },
    },
    paths,
  };
}
