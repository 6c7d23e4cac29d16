import http from "node:http";
import { checkReadiness } from "@hookrelay/shared";
import type { Registry } from "prom-client";

export interface HealthServerOptions {
  /** Served at `/metrics` in the Prometheus text format (no auth: meant for the internal network). */
  metrics?: Registry;
  /** Interface to listen on; all of them by default. */
  host?: string;
}

/** The dispatcher's small HTTP face: `/healthz`, `/readyz` (same meaning as the api's) and `/metrics`. */
export function startHealthServer(
  port: number,
  probes: Record<string, () => Promise<unknown>>,
  { metrics, host = "0.0.0.0" }: HealthServerOptions = {},
): http.Server {
  const server = http.createServer(async (req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const path = req.url?.split("?", 1)[0];
    if (req.method === "GET" && path === "/healthz") return send(200, { status: "ok" });
    if (req.method === "GET" && path === "/readyz") {
      const { ready, body } = await checkReadiness(probes);
      return send(ready ? 200 : 503, body);
    }
    if (req.method === "GET" && path === "/metrics" && metrics) {
      try {
        const text = await metrics.metrics();
        res.writeHead(200, { "content-type": metrics.contentType });
        return res.end(text);
      } catch {
        return send(500, { error: { code: "internal", message: "metrics collection failed" } });
      }
    }
    send(404, { error: { code: "not_found", message: "not found" } });
  });
  server.listen(port, host);
  return server;
}
