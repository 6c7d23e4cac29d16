import { createHmac } from "node:crypto";
import { Webhook } from "standardwebhooks";
import {
  generateWebhookSecret,
  signatureHeaders,
  signCompatibility,
  signStandardWebhook,
} from "./signing.js";

// The official Standard Webhooks library is the oracle for every signature we make.
describe("signing", () => {
  const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  const cases = [
    { id: "evt_01", timestamp: 1_700_000_000, payload: '{"a":1}' },
    { id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, payload: '{"test": 2432232314}' },
    { id: "evt_unicode", timestamp: 1_800_000_123, payload: JSON.stringify({ name: "naïve ✓ 日本" }) },
  ];

  it.each(cases)("signs like the Standard Webhooks library ($id)", ({ id, timestamp, payload }) => {
    const expected = new Webhook(secret).sign(id, new Date(timestamp * 1000), payload);
    expect(signStandardWebhook(secret, id, timestamp, payload)).toBe(expected);
    expect(signStandardWebhook(secret, id, timestamp, Buffer.from(payload))).toBe(expected);
  });

  it("carries one v1 entry per active secret, each verifiable alone", () => {
    const current = generateWebhookSecret();
    const previous = generateWebhookSecret();
    const now = Math.floor(Date.now() / 1000);
    const body = '{"event_type":"order.paid"}';
    const headers = signatureHeaders([current, previous], "evt_rotation", now, body);
    const entries = headers["webhook-signature"].split(" ");
    expect(entries).toHaveLength(2);
    expect(entries.every((entry) => entry.startsWith("v1,"))).toBe(true);
    for (const one of [current, previous]) {
      expect(new Webhook(one).verify(body, { ...headers })).toEqual({ event_type: "order.paid" });
    }
    expect(() => new Webhook(generateWebhookSecret()).verify(body, { ...headers })).toThrow();
  });

  it("makes the compatibility header from the whole secret string over the raw body", () => {
    const body = '{"x":"y"}';
    const expected = createHmac("sha256", secret).update(body).digest("hex");
    expect(signCompatibility(secret, body)).toBe(`sha256=${expected}`);
    expect(signatureHeaders([secret], "evt_1", 1, body)["x-webhook-signature"]).toBe(`sha256=${expected}`);
  });

  it("generates whsec_ secrets of 32 random bytes", () => {
    const one = generateWebhookSecret();
    expect(one).toMatch(/^whsec_/);
    expect(Buffer.from(one.slice(6), "base64")).toHaveLength(32);
    expect(generateWebhookSecret()).not.toBe(one);
  });
});
