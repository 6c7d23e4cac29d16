import type { SecretBox } from "@hookrelay/shared";
import type { Request, Response } from "express";
import { dashboardCookieOptions, readCookie } from "./cookies.js";

// A new webhook's signing secret crosses the create form's POST-redirect-GET in a cookie, so it never
// appears in a URL (history, Referer, access logs) and the page that shows it can be reloaded without
// posting again. The cookie is encrypted with SECRETS_KEY (a logged Set-Cookie header reveals nothing),
// names the webhook it belongs to, lives two minutes and is cleared by the page that shows it: once.

const COOKIE = "hookrelay_new_secret";
const MAX_AGE_MS = 120_000;

interface HeldSecret {
  webhookId: string;
  secret: string;
}

export function holdNewSecret(req: Request, res: Response, box: SecretBox, held: HeldSecret): void {
  const sealed = Buffer.from(box.encrypt(JSON.stringify(held))).toString("base64url");
  res.cookie(COOKIE, sealed, { ...dashboardCookieOptions(req), maxAge: MAX_AGE_MS });
}

/** The secret held for this webhook, if any; taking it clears the cookie so it is never shown again. */
export function takeNewSecret(
  req: Request,
  res: Response,
  box: SecretBox,
  webhookId: string,
): string | undefined {
  const sealed = readCookie(req, COOKIE);
  if (sealed === undefined) return undefined;
  let held: Partial<HeldSecret>;
  try {
    held = JSON.parse(box.decrypt(Buffer.from(sealed, "base64url").toString("utf8"))) as Partial<HeldSecret>;
  } catch {
    // Mangled, or sealed under a previous SECRETS_KEY: drop it.
    res.clearCookie(COOKIE, dashboardCookieOptions(req));
    return undefined;
  }
  if (held.webhookId !== webhookId || typeof held.secret !== "string") return undefined;
  res.clearCookie(COOKIE, dashboardCookieOptions(req));
  return held.secret;
}
