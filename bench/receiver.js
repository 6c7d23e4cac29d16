// The benchmark's webhook receiver, in its own process: answers every POST (optionally failing a share
// of them with 500), and records for each delivered (event, webhook) pair when its first 2xx arrived.
// GET /stats returns the count; GET /arrivals the records; POST /raw is for the raw-ceiling loop.
import http from "node:http";

// `node bench/receiver.js [failRatio]`: the share (0–1) of deliveries answered 500.
const failRatio = Number(process.argv[2] ?? 0);
const arrivals = [];
let received = 0;
let raw = 0;

const server = http.createServer((req, res) => {
  if (req.method === "GET" && req.url === "/stats") {
    res.writeHead(200, { "content-type": "application/json" });
    return res.end(JSON.stringify({ received, delivered: arrivals.length, raw }));
  }
  if (req.method === "GET" && req.url === "/arrivals") {
    res.writeHead(200, { "content-type": "application/json" });
    return res.end(JSON.stringify(arrivals));
  }
  const chunks = [];
  req.on("data", (chunk) => chunks.push(chunk));
  req.on("end", () => {
    if (req.url === "/raw") {
      raw += 1;
      return res.end("ok");
    }
    received += 1;
    if (failRatio > 0 && Math.random() < failRatio) {
      res.writeHead(500);
      return res.end("planned failure");
    }
    const at = performance.timeOrigin + performance.now();
    arrivals.push([req.headers["webhook-id"], req.url, at]);
    res.end("ok");
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
