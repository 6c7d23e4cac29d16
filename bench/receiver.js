// The benchmark's webhook receiver, in its own process: answers every POST (optionally failing a share
// of them with 500), and records each 2xx delivery: [webhook-id, path, arrival time] — plus, when asked,
// one field of the body. GET /stats returns the counts; GET /arrivals the records; POST /raw is for the
// raw-ceiling loop.
import http from "node:http";

// `node bench/receiver.js [failRatio] [field]`: the share (0–1) of deliveries answered 500; `field`, a
// dotted path such as `data.row.id`, is read from each delivered body and recorded as a 4th element.
// Bodies are parsed only when a field is asked for, so the other scenarios pay nothing for it.
const failRatio = Number(process.argv[2] ?? 0);
const fieldPath = process.argv[3] ? process.argv[3].split(".") : null;

function bodyField(chunks) {
  try {
    let value = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    for (const key of fieldPath) value = value?.[key];
    return value ?? null;
  } catch {
    return null;
  }
}
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
    if (fieldPath) arrivals.push([req.headers["webhook-id"], req.url, at, bodyField(chunks)]);
    else arrivals.push([req.headers["webhook-id"], req.url, at]);
    res.end("ok");
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
