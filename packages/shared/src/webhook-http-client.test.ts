import http from "node:http";
import type { AddressInfo } from "node:net";
import { WebhookHttpClient } from "./webhook-http-client.js";

// Failure naming against real sockets on 127.0.0.1 (no mocks): what an attempt records as `error`.
describe("WebhookHttpClient failure names", () => {
  let server: http.Server;
  let port: number;

  beforeAll(async () => {
    server = http.createServer((_req, res) => res.end("plain http"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const request = (url: string) => ({
    url,
    body: "{}",
    headers: { "content-type": "application/json" },
    timeoutMs: 2_000,
  });

  it("names a name that does not resolve dns_failure", async () => {
    const client = new WebhookHttpClient({
      allowPrivateTargets: true,
      resolve: async (hostname) => {
        throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
      },
    });
    const response = await client.send(request("http://nowhere.hookrelay.test/"));
    client.close();
    expect(response).toMatchObject({ statusCode: null, error: "dns_failure" });
  });

  it("names a TLS handshake with a plain HTTP server tls_error", async () => {
    const client = new WebhookHttpClient({ allowPrivateTargets: true });
    const response = await client.send(request(`https://127.0.0.1:${port}/`));
    client.close();
    expect(response).toMatchObject({ statusCode: null, error: "tls_error" });
  });

  it("connects only to checked addresses: a resolver answer in a blocked range is refused", async () => {
    const client = new WebhookHttpClient({
      allowPrivateTargets: false,
      resolve: async () => [
        { address: "93.184.216.34", family: 4 },
        { address: "127.0.0.1", family: 4 },
      ],
    });
    const response = await client.send(request(`http://mixed.hookrelay.test:${port}/`));
    client.close();
    expect(response).toMatchObject({ statusCode: null, error: "blocked_address" });
  });

  it("reads a plain answer when private targets are allowed", async () => {
    const client = new WebhookHttpClient({ allowPrivateTargets: true });
    const response = await client.send(request(`http://127.0.0.1:${port}/`));
    client.close();
    expect(response).toMatchObject({ statusCode: 200, responseBody: "plain http", error: null });
  });
});
