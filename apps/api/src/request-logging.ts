import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "@hookrelay/shared";
import type { RequestHandler } from "express";
import { pinoHttp } from "pino-http";

const QUIET_PATHS = new Set(["/healthz", "/readyz", "/metrics"]);

/** The request id: the caller's `X-Request-Id` when it is sane, else a new one; echoed on the answer. */
function requestId(req: IncomingMessage, res: ServerResponse): string {
  const offered = req.headers["x-request-id"];
  const id = typeof offered === "string" && /^[\w.-]{1,128}$/.test(offered) ? offered : randomUUID();
  res.setHeader("X-Request-Id", id);
  return id;
}

/**
 * Every answer carries `X-Request-Id`, and `req.log` is a logger bound to it. One log line per request
 * (pino-http) only when `info` is enabled: pino-http builds a serialized child logger for every request,
 * about a tenth of the api's CPU under load, which is waste when those lines are not written.
 */
export function requestLogging(logger: Logger): RequestHandler {
  if (logger.isLevelEnabled("info")) {
    return pinoHttp({
      logger,
      genReqId: requestId,
      autoLogging: { ignore: (req) => QUIET_PATHS.has(req.url ?? "") },
    });
  }
  return (req, res, next) => {
    req.id = requestId(req, res);
    req.log = logger.child({ reqId: req.id });
    next();
  };
}
