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
}

export interface RouteReply {
  status?: number;
  body?: unknown;
  /** Set for a text answer (the body is sent as is), e.g. `text/plain`; JSON otherwise. */
  contentType?: string;
}

export interface Route<Body = unknown, Query = unknown> {
  method: Method;
  /** Express-style path under /v1, e.g. `/project/:projectId/webhooks/:webhookId`. */
  path: string;
  auth: "admin" | "project";
  summary: string;
  /** The success status (the handler may still answer another, e.g. 200 for an idempotent repeat). */
  status: number;
  body?: z.ZodType<Body>;
  query?: z.ZodType<Query>;
  handle: (ctx: ApiContext, input: RouteInput<Body, Query>) => Promise<unknown | RouteReply>;
}

/** Declares a route with its input types inferred from its schemas. */
export function route<Body = undefined, Query = undefined>(definition: Route<Body, Query>): Route {
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
