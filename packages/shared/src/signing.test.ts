import { createHmac } from "node:crypto";
import { Webhook } from "standardwebhooks";
import {
  DEFAULT_SIGNATURE_HEADER,
  generateWebhookSecret,
  SECRET_PREFIX,
  secretKeyBytes,
  signatureHeaders,
  signCompatibility,
  signStandardWebhook,
} from "./signing.js";

// The official Standard Webhooks library is the oracle for every signature we make.
const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

function librarySign(key: string, id: string, timestampSeconds: number, payload: string): string {
  return new Webhook(key).sign(id, new Date(timestampSeconds * 1000), payload);
}

describe("signStandardWebhook", () => {
  const cases = [
    { id: "evt_01", timestamp: 1_700_000_000, payload: '{"a":1}' },
    // The Standard Webhooks specification's own example message.
    { id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, payload: '{"test": 2432232314}' },
    { id: "evt_unicode", timestamp: 1_800_000_123, payload: JSON.stringify({ name: "naïve ✓ 日本 🚀" }) },
    { id: "01JD6XK7Q3M2N8P4R5S6T7V8W9", timestamp: 1, payload: "" },
    { id: "evt_spaces", timestamp: 2_000_000_000, payload: '{\n  "pretty": [1, 2, 3]\n}' },
  ];

  it.each(cases)("signs like the Standard Webhooks library ($id)", ({ id, timestamp, payload }) => {
    const expected = librarySign(secret, id, timestamp, payload);
    expect(signStandardWebhook(secret, id, timestamp, payload)).toBe(expected);
  });

  it.each(cases)("signs a Buffer body like the same string ($id)", ({ id, timestamp, payload }) => {
    expect(signStandardWebhook(secret, id, timestamp, Buffer.from(payload, "utf8"))).toBe(
      librarySign(secret, id, timestamp, payload),
    );
  });

  it("signs like the library for freshly generated secrets", () => {
    for (let i = 0; i < 5; i++) {
      const fresh = generateWebhookSecret();
      expect(signStandardWebhook(fresh, `evt_${i}`, 1_700_000_000 + i, '{"n":1}')).toBe(
        librarySign(fresh, `evt_${i}`, 1_700_000_000 + i, '{"n":1}'),
      );
    }
  });

  it("changes the signature when the id, the timestamp or the body changes", () => {
    const base = signStandardWebhook(secret, "evt_1", 1_700_000_000, "{}");
    expect(signStandardWebhook(secret, "evt_2", 1_700_000_000, "{}")).not.toBe(base);
    expect(signStandardWebhook(secret, "evt_1", 1_700_000_001, "{}")).not.toBe(base);
    expect(signStandardWebhook(secret, "evt_1", 1_700_000_000, "{ }")).not.toBe(base);
  });

  it("keys the HMAC by the base64-decoded part after whsec_", () => {
    const withoutPrefix = secret.slice(SECRET_PREFIX.length);
    expect(secretKeyBytes(secret).equals(Buffer.from(withoutPrefix, "base64"))).toBe(true);
  });
});

describe("a secret without whsec_ (brought from another provider)", () => {
  const raw = "shpss_0123456789abcdef!#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

  function libraryRawSign(key: string, id: string, timestampSeconds: number, payload: string): string {
    return new Webhook(key, { format: "raw" }).sign(id, new Date(timestampSeconds * 1000), payload);
  }

  it("is used as its own UTF-8 bytes, not base64-decoded", () => {
    expect(secretKeyBytes(raw).equals(Buffer.from(raw, "utf8"))).toBe(true);
    expect(secretKeyBytes("ABCDEFGHIJKLMNOP").toString("utf8")).toBe("ABCDEFGHIJKLMNOP");
  });

  it("signs like the Standard Webhooks library with the raw key format", () => {
    for (const key of [raw, "ABCDEFGHIJKLMNOP", "c2VjcmV0LWxvb2tpbmctbGlrZS1iYXNlNjQ="]) {
      expect(signStandardWebhook(key, "evt_raw", 1_700_000_000, '{"a":1}')).toBe(
        libraryRawSign(key, "evt_raw", 1_700_000_000, '{"a":1}'),
      );
    }
  });

  it("signs differently from the same text after whsec_", () => {
    const text = "c2VjcmV0LWxvb2tpbmctbGlrZS1iYXNlNjQ=";
    expect(signStandardWebhook(text, "evt_1", 1_700_000_000, "{}")).not.toBe(
      signStandardWebhook(`whsec_${text}`, "evt_1", 1_700_000_000, "{}"),
    );
  });

  it("keys the extra header by the whole secret string too", () => {
    expect(signCompatibility(raw, "{}")).toBe(
      `sha256=${createHmac("sha256", raw).update("{}").digest("hex")}`,
    );
  });
});

describe("signatureHeaders", () => {
  const body = '{"event_type":"order.paid"}';

  it("sets webhook-id and webhook-timestamp to the id and unix seconds that were signed", () => {
    const headers = signatureHeaders([secret], "evt_headers", 1_700_000_000, body);
    expect(headers["webhook-id"]).toBe("evt_headers");
    expect(headers["webhook-timestamp"]).toBe("1700000000");
    expect(headers["webhook-signature"]).toBe(librarySign(secret, "evt_headers", 1_700_000_000, body));
  });

  it("carries `v1,<current> v1,<previous>` when two secrets are active", () => {
    const current = generateWebhookSecret();
    const previous = generateWebhookSecret();
    const headers = signatureHeaders([current, previous], "evt_rotation", 1_700_000_000, body);
    expect(headers["webhook-signature"]).toBe(
      `${librarySign(current, "evt_rotation", 1_700_000_000, body)} ${librarySign(previous, "evt_rotation", 1_700_000_000, body)}`,
    );
    expect(headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]{43}= v1,[A-Za-z0-9+/]{43}=$/);
  });

  it("is verified by the library with either of two secrets alone, and not with a third", () => {
    const current = generateWebhookSecret();
    const previous = generateWebhookSecret();
    const now = Math.floor(Date.now() / 1000);
    const headers = signatureHeaders([current, previous], "evt_rotation", now, body);
    expect(new Webhook(current).verify(body, { ...headers })).toEqual({ event_type: "order.paid" });
    expect(new Webhook(previous).verify(body, { ...headers })).toEqual({ event_type: "order.paid" });
    expect(() => new Webhook(generateWebhookSecret()).verify(body, { ...headers })).toThrow(
      "No matching signature found",
    );
  });

  it("sends the extra header under the chosen name only, in the chosen format", () => {
    const hmac = createHmac("sha256", secret).update(body).digest();
    const cases = [
      { header: "X-Truss-Signature", format: "hex", value: hmac.toString("hex") },
      { header: "X-Hub-Signature-256", format: "sha256=hex", value: `sha256=${hmac.toString("hex")}` },
      { header: "X-Shopify-Hmac-Sha256", format: "base64", value: hmac.toString("base64") },
    ] as const;
    for (const { header, format, value } of cases) {
      const headers = signatureHeaders([secret], "evt_custom", 1_700_000_000, body, { header, format });
      expect(headers).toEqual({
        "webhook-id": "evt_custom",
        "webhook-timestamp": "1700000000",
        "webhook-signature": librarySign(secret, "evt_custom", 1_700_000_000, body),
        [header.toLowerCase()]: value,
      });
      expect(headers["x-webhook-signature"]).toBeUndefined();
    }
  });

  it("uses X-Webhook-Signature in any format when no name is chosen", () => {
    const hex = createHmac("sha256", secret).update(body).digest("hex");
    expect(DEFAULT_SIGNATURE_HEADER).toBe("X-Webhook-Signature");
    expect(
      signatureHeaders([secret], "evt_1", 1, body, { header: null, format: "hex" })["x-webhook-signature"],
    ).toBe(hex);
    expect(signatureHeaders([secret], "evt_1", 1, body)["x-webhook-signature"]).toBe(`sha256=${hex}`);
  });

  it("signs the custom header with the current secret only during a rotation", () => {
    const current = generateWebhookSecret();
    const previous = generateWebhookSecret();
    const headers = signatureHeaders([current, previous], "evt_rotation", 1_700_000_000, body, {
      header: "X-Shopify-Hmac-Sha256",
      format: "base64",
    });
    expect(headers["x-shopify-hmac-sha256"]).toBe(
      createHmac("sha256", current).update(body).digest("base64"),
    );
    expect(headers["webhook-signature"].split(" ")).toHaveLength(2);
  });

  it("makes x-webhook-signature from the current (first) secret only", () => {
    const current = generateWebhookSecret();
    const previous = generateWebhookSecret();
    const headers = signatureHeaders([current, previous], "evt_rotation", 1_700_000_000, body);
    expect(headers["x-webhook-signature"]).toBe(
      `sha256=${createHmac("sha256", current).update(body).digest("hex")}`,
    );
  });
});

describe("compatibility signature", () => {
  it("is sha256= + hex HMAC-SHA256 of the raw body keyed by the whole secret string, prefix included", () => {
    const body = '{"x":"y","name":"日本"}';
    const expected = `sha256=${createHmac("sha256", Buffer.from(secret, "utf8")).update(Buffer.from(body, "utf8")).digest("hex")}`;
    expect(signCompatibility(secret, body)).toBe(expected);
    expect(signCompatibility(secret, Buffer.from(body))).toBe(expected);
    expect(signatureHeaders([secret], "evt_1", 1, body)["x-webhook-signature"]).toBe(expected);
    expect(expected).toMatch(/^sha256=[0-9a-f]{64}$/);
  });

  it("differs from an HMAC keyed by the secret without its prefix or by the decoded bytes", () => {
    const body = '{"x":"y"}';
    const compat = signCompatibility(secret, body);
    const withoutPrefix = createHmac("sha256", secret.slice(SECRET_PREFIX.length)).update(body).digest("hex");
    const decoded = createHmac("sha256", secretKeyBytes(secret)).update(body).digest("hex");
    expect(compat).not.toBe(`sha256=${withoutPrefix}`);
    expect(compat).not.toBe(`sha256=${decoded}`);
  });
});

describe("signCompatibility formats", () => {
  const body = Buffer.from('{"total":"12.50","name":"日本"}', "utf8");

  it("writes the same HMAC as sha256=<hex>, bare lower-case hex or base64", () => {
    const digest = createHmac("sha256", Buffer.from(secret, "utf8")).update(body).digest();
    expect(signCompatibility(secret, body, "sha256=hex")).toBe(`sha256=${digest.toString("hex")}`);
    expect(signCompatibility(secret, body, "hex")).toBe(digest.toString("hex"));
    expect(signCompatibility(secret, body, "hex")).toMatch(/^[0-9a-f]{64}$/);
    expect(signCompatibility(secret, body, "base64")).toBe(digest.toString("base64"));
    expect(signCompatibility(secret, body, "base64")).toMatch(/^[A-Za-z0-9+/]{43}=$/);
  });

  it("defaults to sha256=<hex>", () => {
    expect(signCompatibility(secret, body)).toBe(signCompatibility(secret, body, "sha256=hex"));
  });
});

describe("generateWebhookSecret", () => {
  it("gives whsec_ followed by the canonical base64 of 32 bytes", () => {
    const one = generateWebhookSecret();
    expect(one).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const bytes = Buffer.from(one.slice("whsec_".length), "base64");
    expect(bytes).toHaveLength(32);
    expect(`whsec_${bytes.toString("base64")}`).toBe(one);
  });

  it("gives a different secret each time, usable by the library", () => {
    const secrets = new Set(Array.from({ length: 20 }, () => generateWebhookSecret()));
    expect(secrets.size).toBe(20);
    for (const one of secrets) expect(() => new Webhook(one)).not.toThrow();
  });
});
