import { HOOKRELAY_VERSION } from "@hookrelay/shared";
import { z } from "zod";
import type { Route } from "./routes/route.js";

type JsonSchema = Record<string, unknown>;

const COMPONENTS = "#/components/schemas/";
const SAFE_INTEGER = Number.MAX_SAFE_INTEGER;

/**
 * zod's JSON Schema, tidied for a document people read: a date-time keeps its `format` without zod's
 * 300-character pattern, and `.int()`'s safe-integer bounds (which every JSON number reader has) go.
 */
function tidy({ jsonSchema }: { jsonSchema: JsonSchema }): void {
  if (jsonSchema.format === "date-time") delete jsonSchema.pattern;
  if (jsonSchema.type === "integer") {
    if (jsonSchema.minimum === -SAFE_INTEGER) delete jsonSchema.minimum;
    if (jsonSchema.maximum === SAFE_INTEGER) delete jsonSchema.maximum;
  }
}

/** A request schema: what a client may send (defaults optional, transforms unseen). */
function inputSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, {
    io: "input",
    unrepresentable: "any",
    override: tidy,
  }) as JsonSchema;
  return rest;
}

/**
 * Every schema registered with an id (`.meta({ id })`: the response bodies and the error) as
 * components, referring to each other by `#/components/schemas/<id>`.
 */
function componentSchemas(): Record<string, JsonSchema> {
  const { schemas } = z.toJSONSchema(z.globalRegistry, {
    io: "output",
    uri: (id) => `${COMPONENTS}${id}`,
    override: tidy,
  }) as { schemas: Record<string, JsonSchema> };
  return Object.fromEntries(
    Object.entries(schemas).map(([id, { $schema: _, $id: __, ...schema }]) => [id, schema]),
  );
}

/** A response body's schema: a reference to its component, or inline when it has no id. */
function outputSchema(schema: z.ZodType): JsonSchema {
  const id = z.globalRegistry.get(schema)?.id;
  if (id) return { $ref: `${COMPONENTS}${id}` };
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io: "output", override: tidy }) as JsonSchema;
  return rest;
}

/** `/project/:projectId/x` → `/v1/project/{projectId}/x` */
export function openApiPath(path: string): string {
  return `/v1${path.replace(/:(\w+)/g, "{$1}")}`;
}

/** `post /v1/project/{projectId}/webhooks` → `postProjectProjectIdWebhooks` */
function operationId(method: string, path: string): string {
  const words = openApiPath(path)
    .slice("/v1".length)
    .replace(/[{}]/g, "")
    .replace(/[-/.](\w)/g, (_, c: string) => c.toUpperCase())
    .replace(/[^A-Za-z0-9]/g, "");
  return `${method}${words}`;
}

const errorBody = { "application/json": { schema: { $ref: `${COMPONENTS}Error` } } };

/** The errors a route may answer besides its own (`errors`), and when. */
function commonErrors(one: Route): Record<string, string> {
  const reads = one.method !== "get" || one.query !== undefined || one.headers !== undefined;
  return {
    400: "validation_error: the request cannot be read (malformed JSON, a repeated header, bad encoding)",
    401: "unauthorized: a missing, unknown or revoked key",
    ...(one.auth === "project" && { 403: "forbidden: the key belongs to another project" }),
    404: "not_found: no such resource (or an id that cannot be one)",
    413: "payload_too_large: the body is larger than MAX_PAYLOAD_BYTES",
    ...(reads && { 422: "validation_error: the request breaks the schema; details name each field" }),
    500: "internal: a bug; the answer never carries its cause",
    503: "unavailable: PostgreSQL or Redis does not answer, or the api is at capacity; retry after Retry-After",
  };
}

function responses(one: Route): Record<string, unknown> {
  const success = (description: string) => {
    if (!one.response) return { description };
    const media = one.responseType ?? "application/json";
    return { description, content: { [media]: { schema: outputSchema(one.response) } } };
  };
  const answers: Record<string, unknown> = { [String(one.status)]: success("success") };
  for (const [status, description] of Object.entries(one.alsoSucceeds ?? {})) {
    answers[status] = success(description);
  }
  for (const [status, description] of Object.entries({ ...commonErrors(one), ...one.errors })) {
    answers[status] = {
      description,
      content: errorBody,
      ...(status === "503" && {
        headers: {
          "Retry-After": { description: "seconds to wait before retrying", schema: { type: "integer" } },
        },
      }),
    };
  }
  return answers;
}

function parameters(one: Route): unknown[] {
  const path = [...one.path.matchAll(/:(\w+)/g)].map(([, name]) => ({
    name,
    in: "path",
    required: true,
    schema: { type: "string" },
  }));
  const query: unknown[] = [];
  if (one.query) {
    const schema = inputSchema(one.query) as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, property] of Object.entries(schema.properties ?? {})) {
      query.push({ name, in: "query", required: schema.required?.includes(name) ?? false, schema: property });
    }
  }
  const headers = Object.entries(one.headers ?? {}).map(([name, { schema, description }]) => ({
    name,
    in: "header",
    required: false,
    description,
    schema: inputSchema(schema),
  }));
  return [...path, ...query, ...headers];
}

/** The OpenAPI 3.1 document, generated from the same route declarations and zod schemas the router uses. */
export function openApiDocument(routes: Route[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const one of routes) {
    const path = openApiPath(one.path);
    paths[path] ??= {};
    (paths[path] as Record<string, unknown>)[one.method] = {
      summary: one.summary,
      operationId: operationId(one.method, one.path),
      tags: [tagOf(one.path)],
      security: [{ [one.auth === "admin" ? "adminKey" : "projectKey"]: [] }],
      parameters: parameters(one),
      ...(one.body && {
        requestBody: { required: true, content: { "application/json": { schema: inputSchema(one.body) } } },
      }),
      responses: responses(one),
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "hookrelay",
      version: HOOKRELAY_VERSION,
      description: "Self-hosted webhook delivery",
      license: { name: "MIT", identifier: "MIT" },
    },
    servers: [{ url: "/" }],
    tags: Object.entries(TAGS).map(([name, description]) => ({ name, description })),
    components: {
      securitySchemes: {
        adminKey: { type: "http", scheme: "bearer", description: "ADMIN_API_KEY" },
        projectKey: { type: "http", scheme: "bearer", description: "a project's API key" },
      },
      schemas: componentSchemas(),
    },
    paths,
  };
}

const TAGS = {
  projects: "Projects and their API keys (admin key)",
  sources: "Database change sources: committed row changes of a PostgreSQL database as events (admin key)",
  webhooks: "Webhook subscriptions of a project: where events go, how they are signed",
  deliveries: "A webhook's delivery log, attempts, replays and recovery",
  events: "Events sent to a project, and what became of them",
} as const;

/** The resource a path is about: its last named collection. */
function tagOf(path: string): string {
  const collections = path.split("/").filter((part) => part in TAGS);
  return collections.at(-1) ?? "projects";
}
