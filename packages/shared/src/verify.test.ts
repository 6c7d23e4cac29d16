import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type VerifiedRequest,
  verifyWebhook,
  WebhookVerificationError,
  webhookVerifier,
} from "@hookrelay/client";
import express from "express";
import { Webhook } from "standardwebhooks";
import { generateWebhookSecret, signatureHeaders } from "./signing.js";

// Fixed clock for every test that passes `now`; the library signs with whatever Date it is given.
const NOW_MS = 1_700_000_000_000;
const NOW_SECONDS = NOW_MS / 1000;

/** Headers as the official Standard Webhooks library signs them (the library is the sender here). */
function librarySigned(secret: string, body: string, atSeconds: number, id = "evt_test") {
  return {
    "webhook-id": id,
    "webhook-timestamp": String(atSeconds),
    "webhook-signature": new Webhook(secret).sign(id, new Date(atSeconds * 1000), body),
  };
}

function rejection(verify: () => unknown): unknown {
  try {
    verify();
  } catch (error) {
    return error;
  }
  throw new Error("expected verification to fail");
}

describe("verifyWebhook", () => {
  const secret = generateWebhookSecret();
  const event = { event_type: "order.paid", data: { id: 1, name: "naïve ✓" } };
  const body = JSON.stringify(event);
  const at = { now: NOW_MS };

  it("accepts what the Standard Webhooks library signs and returns the parsed event", () => {
    expect(verifyWebhook(body, librarySigned(secret, body, NOW_SECONDS), secret, at)).toEqual(event);
  });

  it("accepts a Buffer body and a Fetch Headers object", () => {
    const headers = new Headers(librarySigned(secret, body, NOW_SECONDS));
    expect(verifyWebhook(Buffer.from(body), headers, secret, at)).toEqual(event);
  });

  it("uses the real clock when no `now` is given", () => {
    const nowSeconds = Math.floor(Date.now() / 1000);
    expect(verifyWebhook(body, librarySigned(secret, body, nowSeconds), secret)).toEqual(event);
  });

  it("finds headers whatever their case in a plain object", () => {
    const signed = librarySigned(secret, body, NOW_SECONDS);
    const headers = {
      "Webhook-Id": signed["webhook-id"],
      "WEBHOOK-TIMESTAMP": signed["webhook-timestamp"],
      "Webhook-Signature": signed["webhook-signature"],
    };
    expect(verifyWebhook(body, headers, secret, at)).toEqual(event);
  });

  it("accepts when one of two secrets matches (rotation)", () => {
    const headers = librarySigned(secret, body, NOW_SECONDS);
    expect(verifyWebhook(body, headers, [generateWebhookSecret(), secret], at)).toEqual(event);
    expect(verifyWebhook(body, headers, [secret, generateWebhookSecret()], at)).toEqual(event);
  });

  it("accepts when the header carries two signatures and either one is ours", () => {
    const other = generateWebhookSecret();
    const ours = librarySigned(secret, body, NOW_SECONDS);
    const theirs = librarySigned(other, body, NOW_SECONDS);
    for (const signatures of [
      `${theirs["webhook-signature"]} ${ours["webhook-signature"]}`,
      `${ours["webhook-signature"]} ${theirs["webhook-signature"]}`,
    ]) {
      expect(verifyWebhook(body, { ...ours, "webhook-signature": signatures }, secret, at)).toEqual(event);
      expect(verifyWebhook(body, { ...ours, "webhook-signature": signatures }, other, at)).toEqual(event);
    }
  });

  it("accepts what our own signatureHeaders produces for two active secrets, with either secret", () => {
    const previous = generateWebhookSecret();
    const headers = signatureHeaders([secret, previous], "evt_rot", NOW_SECONDS, body);
    expect(verifyWebhook(body, { ...headers }, secret, at)).toEqual(event);
    expect(verifyWebhook(body, { ...headers }, previous, at)).toEqual(event);
  });

  it("verifies a raw (non-whsec_) secret the way the library's raw key format signs", () => {
    const raw = "migrated-from-another-provider-42";
    const headers = {
      "webhook-id": "evt_raw",
      "webhook-timestamp": String(NOW_SECONDS),
      "webhook-signature": new Webhook(raw, { format: "raw" }).sign(
        "evt_raw",
        new Date(NOW_SECONDS * 1000),
        body,
      ),
    };
    expect(verifyWebhook(body, headers, raw, at)).toEqual(event);
    expect(() => verifyWebhook(body, headers, "migrated-from-another-provider-43", at)).toThrow(
      "no matching signature found",
    );
  });

  it("agrees with signatureHeaders and the library for a raw secret", () => {
    const raw = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
    const nowSeconds = Math.floor(Date.now() / 1000);
    const headers = signatureHeaders([raw], "evt_raw", nowSeconds, body);
    expect(verifyWebhook(body, { ...headers }, raw)).toEqual(event);
    expect(new Webhook(raw, { format: "raw" }).verify(body, { ...headers })).toEqual(event);
    // Read as base64 (the library's default format) the same text is another key.
    expect(() => new Webhook(raw).verify(body, { ...headers })).toThrow("No matching signature found");
  });

  it.each([
    [
      "a tampered body",
      () => verifyWebhook(`${body} `, librarySigned(secret, body, NOW_SECONDS), secret, at),
      "no matching signature found",
    ],
    [
      "a tampered webhook-id",
      () =>
        verifyWebhook(
          body,
          { ...librarySigned(secret, body, NOW_SECONDS), "webhook-id": "evt_other" },
          secret,
          at,
        ),
      "no matching signature found",
    ],
    [
      "a wrong secret",
      () => verifyWebhook(body, librarySigned(secret, body, NOW_SECONDS), generateWebhookSecret(), at),
      "no matching signature found",
    ],
    [
      "a list of only wrong secrets",
      () =>
        verifyWebhook(
          body,
          librarySigned(secret, body, NOW_SECONDS),
          [generateWebhookSecret(), generateWebhookSecret()],
          at,
        ),
      "no matching signature found",
    ],
    [
      "a signature under another version than v1",
      () => {
        const headers = librarySigned(secret, body, NOW_SECONDS);
        const v2 = headers["webhook-signature"].replace(/^v1,/, "v2,");
        return verifyWebhook(body, { ...headers, "webhook-signature": v2 }, secret, at);
      },
      "no matching signature found",
    ],
    ["missing headers", () => verifyWebhook(body, {}, secret, at), "missing required headers"],
    [
      "a missing webhook-id",
      () => {
        const { "webhook-id": _, ...rest } = librarySigned(secret, body, NOW_SECONDS);
        return verifyWebhook(body, rest, secret, at);
      },
      "missing required headers",
    ],
    [
      "a missing webhook-timestamp",
      () => {
        const { "webhook-timestamp": _, ...rest } = librarySigned(secret, body, NOW_SECONDS);
        return verifyWebhook(body, rest, secret, at);
      },
      "missing required headers",
    ],
    [
      "a missing webhook-signature",
      () => {
        const { "webhook-signature": _, ...rest } = librarySigned(secret, body, NOW_SECONDS);
        return verifyWebhook(body, rest, secret, at);
      },
      "missing required headers",
    ],
    [
      "a timestamp that is not unix seconds",
      () =>
        verifyWebhook(
          body,
          { ...librarySigned(secret, body, NOW_SECONDS), "webhook-timestamp": "2023-11-14T22:13:20Z" },
          secret,
          at,
        ),
      "invalid signature timestamp",
    ],
    [
      "a stale timestamp (301 s old)",
      () => verifyWebhook(body, librarySigned(secret, body, NOW_SECONDS - 301), secret, at),
      "message timestamp too old",
    ],
    [
      "a future timestamp (301 s ahead)",
      () => verifyWebhook(body, librarySigned(secret, body, NOW_SECONDS + 301), secret, at),
      "message timestamp too new",
    ],
    [
      "a stale timestamp against the real clock",
      () => verifyWebhook(body, librarySigned(secret, body, Math.floor(Date.now() / 1000) - 3_600), secret),
      "message timestamp too old",
    ],
  ])("rejects %s with WebhookVerificationError", (_name, verify, message) => {
    const error = rejection(verify);
    expect(error).toBeInstanceOf(WebhookVerificationError);
    expect((error as Error).name).toBe("WebhookVerificationError");
    expect((error as Error).message).toBe(message);
  });

  it("allows exactly 300 s of clock difference either way by default", () => {
    expect(verifyWebhook(body, librarySigned(secret, body, NOW_SECONDS - 300), secret, at)).toEqual(event);
    expect(verifyWebhook(body, librarySigned(secret, body, NOW_SECONDS + 300), secret, at)).toEqual(event);
  });

  it("honours toleranceSeconds in both directions", () => {
    const options = { now: NOW_MS, toleranceSeconds: 60 };
    expect(verifyWebhook(body, librarySigned(secret, body, NOW_SECONDS - 60), secret, options)).toEqual(
      event,
    );
    expect(verifyWebhook(body, librarySigned(secret, body, NOW_SECONDS + 60), secret, options)).toEqual(
      event,
    );
    expect(() => verifyWebhook(body, librarySigned(secret, body, NOW_SECONDS - 61), secret, options)).toThrow(
      "message timestamp too old",
    );
    expect(() => verifyWebhook(body, librarySigned(secret, body, NOW_SECONDS + 61), secret, options)).toThrow(
      "message timestamp too new",
    );
    const wide = { now: NOW_MS, toleranceSeconds: 3_600 };
    expect(verifyWebhook(body, librarySigned(secret, body, NOW_SECONDS - 3_000), secret, wide)).toEqual(
      event,
    );
  });

  it("judges the timestamp against `now`, not the real clock", () => {
    const headers = librarySigned(secret, body, NOW_SECONDS);
    expect(verifyWebhook(body, headers, secret, { now: NOW_MS + 299_999 })).toEqual(event);
    expect(() => verifyWebhook(body, headers, secret, { now: NOW_MS + 301_000 })).toThrow(
      WebhookVerificationError,
    );
    expect(() => verifyWebhook(body, headers, secret, { now: NOW_MS - 301_000 })).toThrow(
      "message timestamp too new",
    );
  });
});

describe("webhookVerifier (Express middleware)", () => {
  const secret = generateWebhookSecret();
  const seen: Array<{ body: unknown; rawBody: unknown }> = [];
  let server: Server;
  let baseUrl: string;

  beforeAll(async () => {
    const app = express();
    app.post("/hooks", webhookVerifier(secret), (req, res) => {
      seen.push({ body: req.body, rawBody: (req as VerifiedRequest<express.Request>).rawBody });
      res.status(200).json({ ok: true });
    });
    // Receivers that already mount express.raw() hand the middleware a Buffer instead of a stream.
    app.post("/raw-hooks", express.raw({ type: "*/*" }), webhookVerifier(secret), (req, res) => {
      seen.push({ body: req.body, rawBody: (req as VerifiedRequest<express.Request>).rawBody });
      res.status(200).json({ ok: true });
    });
    app.post("/small-hooks", webhookVerifier(secret, { limitBytes: 16 }), (_req, res) => {
      res.status(200).json({ ok: true });
    });
    server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, "127.0.0.1", () => resolve(listening));
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve, reject) =>
      server.close((error) => (error ? reject(error) : resolve())),
    );
  });

  beforeEach(() => {
    seen.length = 0;
  });

  /** What the route handler received for the one request a test sent. */
  function handled(): { body: unknown; rawBody: unknown } {
    expect(seen).toHaveLength(1);
    const [only] = seen;
    if (!only) throw new Error("the handler was not called");
    return only;
  }

  function post(path: string, body: string, headers: Record<string, string>) {
    return fetch(`${baseUrl}${path}`, {
      method: "POST",
      body,
      headers: { "content-type": "application/json", ...headers },
    });
  }

  it("passes a verified event on with req.body parsed and req.rawBody holding the exact bytes", async () => {
    const event = { event_type: "a.b", data: { n: 1, text: "日本 ✓" } };
    const body = JSON.stringify(event, null, 2);
    const response = await post("/hooks", body, librarySigned(secret, body, Math.floor(Date.now() / 1000)));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
    const { body: parsed, rawBody } = handled();
    expect(parsed).toEqual(event);
    expect(Buffer.isBuffer(rawBody)).toBe(true);
    expect(Buffer.from(rawBody as Buffer).toString("utf8")).toBe(body);
  });

  it("verifies the Buffer left by express.raw()", async () => {
    const event = { event_type: "a.c" };
    const body = JSON.stringify(event);
    const response = await post(
      "/raw-hooks",
      body,
      librarySigned(secret, body, Math.floor(Date.now() / 1000)),
    );
    expect(response.status).toBe(200);
    const { body: parsed, rawBody } = handled();
    expect(parsed).toEqual(event);
    expect(Buffer.isBuffer(rawBody)).toBe(true);
    expect(Buffer.from(rawBody as Buffer).toString("utf8")).toBe(body);
  });

  it("answers 401 in the error shape for a bad signature and never calls the handler", async () => {
    const body = '{"a":1}';
    const response = await post(
      "/hooks",
      body,
      librarySigned(generateWebhookSecret(), body, Math.floor(Date.now() / 1000)),
    );
    expect(response.status).toBe(401);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({
      error: { code: "unauthorized", message: "no matching signature found" },
    });
    expect(seen).toHaveLength(0);
  });

  it("answers 401 when the signature headers are missing", async () => {
    const response = await post("/hooks", '{"a":1}', {});
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      error: { code: "unauthorized", message: "missing required headers" },
    });
    expect(seen).toHaveLength(0);
  });

  it("answers 401 for a body larger than limitBytes", async () => {
    const body = JSON.stringify({ padding: "x".repeat(64) });
    const response = await post(
      "/small-hooks",
      body,
      librarySigned(secret, body, Math.floor(Date.now() / 1000)),
    );
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: { code: "unauthorized", message: "body too large" } });
  });
});
