import type { RequestHandler } from "express";
import type { ApiContext } from "./context.js";
import { forbidden, unauthorized } from "./errors.js";
import { projectForApiKey, sameSecret } from "./services/api-keys.js";

/** The credential from `Authorization: Bearer <key>`, or the password of HTTP basic auth (for browsers). */
export function credentialFrom(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const [scheme, value] = header.split(" ", 2);
  if (!value) return undefined;
  if (scheme?.toLowerCase() === "bearer") return value.trim();
  if (scheme?.toLowerCase() === "basic") {
    const decoded = Buffer.from(value, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    return colon >= 0 ? decoded.slice(colon + 1) : undefined;
  }
  return undefined;
}

export function requireAdmin(ctx: ApiContext): RequestHandler {
  return (req, _res, next) => {
    const key = credentialFrom(req.headers.authorization);
    next(key && sameSecret(key, ctx.adminApiKey) ? undefined : unauthorized("missing or invalid admin key"));
  };
}

/**
 * Bull Board and the dashboard: the admin key as for admin routes, but a failure also asks the browser for
 * basic auth (any user name, the key as password).
 */
export function requireAdminLogin(ctx: ApiContext): RequestHandler {
  const check = requireAdmin(ctx);
  return (req, res, next) =>
    check(req, res, (error?: unknown) => {
      if (error) res.setHeader("WWW-Authenticate", 'Basic realm="hookrelay", charset="UTF-8"');
      next(error);
    });
}

/** Project routes: the key must be live (401) and belong to the project in the path (403). */
export function requireProjectKey(ctx: ApiContext): RequestHandler<{ projectId: string }> {
  return async (req, _res, next) => {
    const key = credentialFrom(req.headers.authorization);
    if (!key) return next(unauthorized());
    const projectId = await projectForApiKey(ctx, key);
    if (!projectId) return next(unauthorized());
    if (projectId !== req.params.projectId) return next(forbidden());
    next();
  };
}
