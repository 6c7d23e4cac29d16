import http from "node:http";
import { checkReadiness } from "@hookrelay/shared";

/** The dispatcher's small HTTP face: `/healthz` and `/readyz` (same meaning as the api's). */
export function startHealthServer(port: number, probes: Record<string, () => Promise<unknown>>): http.Server {
  const server = http.createServer(async (req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.method === "GET" && req.url === "/healthz") return send(200, { status: "ok" });
    if (req.method === "GET" && req.url === "/readyz") {
      const { ready, body } = await checkReadiness(probes);
      return send(ready ? 200 : 503, body);
    }
    send(404, { error: { code: "not_found", message: "not found" } });
  });
  server.listen(port, "0.0.0.0");
  return server;
}
