import type { AddressInfo } from "node:net";
import express from "express";
import { Webhook } from "standardwebhooks";
import { generateWebhookSecret } from "./signing.js";
import { type VerifiedRequest, verifyWebhook, WebhookVerificationError, webhookVerifier } from "./verify.js";

function signed(secret: string, body: string, at = new Date()) {
  const timestamp = Math.floor(at.getTime() / 1000);
  return {
    "webhook-id": "evt_test",
    "webhook-timestamp": String(timestamp),
    "webhook-signature": new Webhook(secret).sign("evt_test", at, body),
  };
}

describe("verifyWebhook", () => {
  const secret = generateWebhookSecret();
  const body = JSON.stringify({ event_type: "order.paid", data: { id: 1 } });

  it("accepts what the Standard Webhooks library signs and returns the parsed event", () => {
    expect(verifyWebhook(body, signed(secret, body), secret)).toEqual(JSON.parse(body));
    expect(verifyWebhook(Buffer.from(body), new Headers(signed(secret, body)), secret)).toEqual(
      JSON.parse(body),
    );
  });

  it("accepts when any of several secrets or signatures matches", () => {
    const headers = signed(secret, body);
    expect(verifyWebhook(body, headers, [generateWebhookSecret(), secret])).toEqual(JSON.parse(body));
    const other = generateWebhookSecret();
    const both = {
      ...headers,
      "webhook-signature": `${signed(other, body)["webhook-signature"]} ${headers["webhook-signature"]}`,
    };
    expect(verifyWebhook(body, both, secret)).toEqual(JSON.parse(body));
  });

  it.each([
    [
      "a tampered body",
      () => verifyWebhook(`${body} `, signed(secret, body), secret),
      "no matching signature",
    ],
    [
      "a wrong secret",
      () => verifyWebhook(body, signed(secret, body), generateWebhookSecret()),
      "no matching signature",
    ],
    ["missing headers", () => verifyWebhook(body, {}, secret), "missing required headers"],
    [
      "a stale timestamp",
      () => verifyWebhook(body, signed(secret, body, new Date(Date.now() - 301_000)), secret),
      "too old",
    ],
    [
      "a future timestamp",
      () => verifyWebhook(body, signed(secret, body, new Date(Date.now() + 301_000)), secret),
      "too new",
    ],
  ])("rejects %s", (_name, verify, message) => {
    expect(verify).toThrow(WebhookVerificationError);
    expect(verify).toThrow(message);
  });

  it("honours toleranceSeconds and now", () => {
    const at = new Date(1_700_000_000_000);
    const headers = signed(secret, body, at);
    expect(
      verifyWebhook(body, headers, secret, { now: at.getTime() + 599_000, toleranceSeconds: 600 }),
    ).toEqual(JSON.parse(body));
    expect(() =>
      verifyWebhook(body, headers, secret, { now: at.getTime() + 61_000, toleranceSeconds: 60 }),
    ).toThrow("too old");
  });
});

describe("webhookVerifier (Express middleware)", () => {
  const secret = generateWebhookSecret();
  const seen: Array<{ body: unknown; raw: string }> = [];
  let url: string;
  let close: () => void;

  beforeAll(async () => {
    const app = express();
    app.post("/hooks", webhookVerifier(secret), (req, res) => {
      seen.push({ body: req.body, raw: (req as VerifiedRequest).rawBody.toString() });
      res.sendStatus(204);
    });
    const server = await new Promise<import("node:http").Server>((resolve) => {
      const listening = app.listen(0, "127.0.0.1", () => resolve(listening));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
    close = () => server.close();
  });

  afterAll(() => close());

  it("passes a verified event on, parsed, with its raw bytes", async () => {
    const body = JSON.stringify({ event_type: "a.b", data: { n: 1 } });
    const response = await fetch(url, {
      method: "POST",
      body,
      headers: { ...signed(secret, body), "content-type": "application/json" },
    });
    expect(response.status).toBe(204);
    expect(seen.at(-1)).toEqual({ body: JSON.parse(body), raw: body });
  });

  it("answers 401 in the error shape for a bad signature", async () => {
    const body = '{"a":1}';
    const response = await fetch(url, {
      method: "POST",
      body,
      headers: signed(generateWebhookSecret(), body),
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      error: { code: "unauthorized", message: "no matching signature found" },
    });
  });
});
