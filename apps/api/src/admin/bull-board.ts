import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { ExpressAdapter } from "@bull-board/express";
import { type RequestHandler, Router } from "express";
import { requireAdminLogin } from "../auth.js";
import type { ApiContext } from "../context.js";

export const BULL_BOARD_PATH = "/admin/queues";

// Bull Board serves its own scripts, styles and images; its page also links a Google Fonts stylesheet.
// This policy keeps the browser from fetching anything off this server (no CDN, no internet needed, nothing
// leaks to a third party); the UI falls back to the system fonts. Inline styles are the UI's own.
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const securityHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
  res.setHeader("X-Content-Type-Options", "nosniff");
  next();
};

/**
 * Bull Board for every queue of the service (`ctx.queues`), mounted at BULL_BOARD_PATH behind the admin
 * key: bearer, or basic auth with the key as password so a browser can log in.
 */
export function bullBoardRouter(ctx: ApiContext): Router {
  const serverAdapter = new ExpressAdapter().setBasePath(BULL_BOARD_PATH);
  createBullBoard({
    // Every delivery shard has the BullMQ name "deliveries": each is told apart by its label.
    queues: ctx.queues.map(
      ({ label, queue }) =>
        new BullMQAdapter(queue, label === queue.name ? {} : { prefix: `${label}:`, displayName: label }),
    ),
    serverAdapter,
    options: { uiConfig: { boardTitle: "hookrelay queues", hideDocsLink: true } },
  });
  const board = serverAdapter.getRouter();
  board.disable("x-powered-by");

  const router = Router();
  router.use(requireAdminLogin(ctx), securityHeaders, board);
  return router;
}
