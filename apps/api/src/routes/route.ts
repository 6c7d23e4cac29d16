import type { z } from "zod";
import type { ApiContext } from "../context.js";

// Every /v1 route is declared once, as data: the router, the OpenAPI document and the authorization
// test are all generated from these declarations, so none of them can miss a route.

export type Method = "get" | "post" | "patch" | "delete";

export interface RouteInput<Body, Query> {
  params: Record<string, string>;
  body: Body;
  query: Query;
  header: (name: string) => string | undefined;
  /** The exact JSON text of the route's `rawMember`, as the client sent it. */
  rawJson: string | undefined;
}

export interface RouteReply {
  status?: number;
  body?: unknown;
  /** Set for a text answer (the body is sent as is), e.g. `text/plain`; JSON otherwise. */
  contentType?: string;
}

export interface Route<Body = unknown, Query = unknown, Response = unknown> {
  method: Method;
  /** Express-style path under /v1, e.g. `/project/:projectId/webhooks/:webhookId`. */
  path: string;
  auth: "admin" | "project";
  summary: string;
  /** The success status. */
  status: number;
  /** The success body's schema: what the handler answers and /openapi.json documents. None for 204. */
  response?: z.ZodType<Response>;
  /** A text answer's media type (the body is sent as is), instead of JSON. */
  responseType?: string;
  /** Other success statuses, answered with the same schema: e.g. 200 for an idempotent repeat. */
  alsoSucceeds?: Record<number, string>;
  /** Errors beyond those every route may answer (400, 401, 403, 404, 413, 422, 500, 503), e.g. 409. */
  errors?: Record<number, string>;
  /** Request headers the route reads, documented as parameters. */
  headers?: Record<string, { schema: z.ZodType; description: string }>;
  /** The body's schema; a route without one takes no body (none, or `{}`). */
  body?: z.ZodType<Body>;
  /**
   * A top-level member of the body used as the text that was sent (an event's `data`), handed to the
   * handler as `rawJson`. Inside it, numbers a double cannot hold exactly and `__proto__` keys are kept
   * rather than refused (see json-body.ts).
   */
  rawMember?: string;
  query?: z.ZodType<Query>;
  handle: (ctx: ApiContext, input: RouteInput<Body, Query>) => Promise<Response | RouteReply>;
}

/** Declares a route with its input and answer types inferred from its schemas. */
export function route<Body = undefined, Query = undefined, Response = void>(
  definition: Route<Body, Query, Response>,
): Route {
  return definition as unknown as Route;
}

const REPLY = Symbol("reply");

/** Handlers that answer with something other than the declared status wrap their body in this. */
export function reply(status: number, body?: unknown, contentType?: string): RouteReply & { [REPLY]: true } {
  return { status, body, contentType, [REPLY]: true };
}

export function isReply(value: unknown): value is RouteReply {
  return typeof value === "object" && value !== null && REPLY in value;
}
