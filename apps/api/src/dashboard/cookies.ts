import type { CookieOptions, Request } from "express";

// The dashboard's short-lived cookies: scoped to its pages, invisible to scripts, never sent cross-site.

export function dashboardCookieOptions(req: Request): CookieOptions {
  return { path: "/dashboard", httpOnly: true, sameSite: "strict", secure: req.secure };
}

export function readCookie(req: Request, name: string): string | undefined {
  for (const part of req.headers.cookie?.split(";") ?? []) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return rest.join("=");
  }
  return undefined;
}
