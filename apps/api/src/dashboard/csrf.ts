import { createHmac } from "node:crypto";
import type { Request, RequestHandler } from "express";
import { ApiError } from "../errors.js";
import { sameSecret } from "../services/api-keys.js";

// Browsers resend basic-auth credentials on any request to this origin, including a form another site
// submits. Every dashboard POST therefore needs both a same-origin signal from the browser and a token
// only our own pages carry.

export const CSRF_FIELD = "csrf";

/** The form token: derived from the admin key, so it changes with it and no other site can know it. */
export function csrfToken(adminApiKey: string): string {
  return createHmac("sha256", adminApiKey).update("hookrelay dashboard form token v1").digest("base64url");
}

/** `Sec-Fetch-Site: same-origin`, or else an `Origin` whose host is the one this request was sent to. */
export function isSameOriginRequest(req: Request): boolean {
  const site = req.get("sec-fetch-site");
  if (site !== undefined) return site === "same-origin";
  const origin = req.get("origin");
  if (origin === undefined) return false;
  return URL.parse(origin)?.host === req.host;
}

const refused = () => new ApiError(403, "forbidden", "cross-site request refused");

export function refuseCrossSiteWrites(adminApiKey: string): RequestHandler {
  const token = csrfToken(adminApiKey);
  return (req, _res, next) => {
    if (req.method === "GET" || req.method === "HEAD") return next();
    const offered = (req.body as Record<string, unknown> | undefined)?.[CSRF_FIELD];
    const tokenOk = typeof offered === "string" && sameSecret(offered, token);
    next(tokenOk && isSameOriginRequest(req) ? undefined : refused());
  };
}
