import { type IdKind, isId } from "@hookrelay/shared";
import { type ApiError, notFound } from "../errors.js";

// The ids a path names, by parameter. A segment that is not an id of its kind at all (`%00`, `..%2f`,
// 5,000 characters, `ünïcode`) names nothing: 404 before any query, so nothing PostgreSQL cannot take
// (a NUL character) ever reaches it as a parameter.
const PATH_IDS: Record<string, { kind: IdKind; what: string }> = {
  projectId: { kind: "project", what: "project" },
  keyId: { kind: "apiKey", what: "api key" },
  webhookId: { kind: "webhook", what: "webhook" },
  deliveryId: { kind: "delivery", what: "delivery" },
  eventId: { kind: "event", what: "event" },
  sourceId: { kind: "source", what: "source" },
  recoveryId: { kind: "recovery", what: "recovery" },
};

/** The 404 for a path parameter that cannot be an id of its kind, or undefined. */
export function malformedPathId(name: string, value: string): ApiError | undefined {
  const id = PATH_IDS[name];
  return id && !isId(id.kind, value) ? notFound(id.what) : undefined;
}

/** The first malformed id among a route's parameters. */
export function malformedPathIds(params: Record<string, string>): ApiError | undefined {
  for (const [name, value] of Object.entries(params)) {
    const problem = malformedPathId(name, value);
    if (problem) return problem;
  }
  return undefined;
}
