import type { Request, Response } from "express";
import type { PageContext } from "./layout.js";

/** Builds what every page render gets (form token, pending message) for one request. */
export type PageContextOf = (req: Request, res: Response) => PageContext;

export function sendPage(res: Response, body: string, status = 200): void {
  res.status(status).type("html").send(body);
}
