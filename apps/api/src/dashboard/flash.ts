import type { Request, Response } from "express";
import { dashboardCookieOptions, readCookie } from "./cookies.js";

// One message carried across the POST-redirect-GET in a short-lived cookie, shown once, always escaped.

const COOKIE = "hookrelay_flash";
const MAX_TEXT = 500;

export interface Flash {
  kind: "ok" | "error";
  text: string;
}

export function setFlash(req: Request, res: Response, flash: Flash): void {
  const value = Buffer.from(JSON.stringify({ ...flash, text: flash.text.slice(0, MAX_TEXT) })).toString(
    "base64url",
  );
  res.cookie(COOKIE, value, { ...dashboardCookieOptions(req), maxAge: 60_000 });
}

/** The pending message, if any, cleared so a reload does not show it again. */
export function takeFlash(req: Request, res: Response): Flash | undefined {
  const value = readCookie(req, COOKIE);
  if (value === undefined) return undefined;
  res.clearCookie(COOKIE, dashboardCookieOptions(req));
  try {
    const parsed = JSON.parse(Buffer.from(value, "base64url").toString("utf8")) as Partial<Flash>;
    if ((parsed.kind === "ok" || parsed.kind === "error") && typeof parsed.text === "string") {
      return { kind: parsed.kind, text: parsed.text.slice(0, MAX_TEXT) };
    }
  } catch {
    // A mangled cookie is simply not shown.
  }
  return undefined;
}
