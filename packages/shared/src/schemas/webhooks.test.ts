import { randomBytes } from "node:crypto";
import {
  clashingCustomHeader,
  createWebhookSchema,
  secretProblem,
  storedSignatureHeader,
  updateWebhookSchema,
} from "./webhooks.js";

const base = { url: "https://example.com/hooks", event_types: ["*"] };

function issues(result: {
  success: boolean;
  error?: { issues: Array<{ path: PropertyKey[]; message: string }> };
}) {
  return (result.error?.issues ?? []).map((issue) => ({
    path: issue.path.join("."),
    message: issue.message,
  }));
}

describe("secret", () => {
  it.each([
    ["whsec_ + base64 of 24 bytes", `whsec_${randomBytes(24).toString("base64")}`],
    ["whsec_ + base64 of 32 bytes", `whsec_${randomBytes(32).toString("base64")}`],
    ["whsec_ + base64 of 64 bytes", `whsec_${randomBytes(64).toString("base64")}`],
    ["16 printable ASCII characters", "abcdefghijklmnop"],
    ["128 printable ASCII characters", "~".repeat(128)],
    ["punctuation", "shpss_!#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"],
    ["a base64-looking string without the prefix", randomBytes(24).toString("base64")],
  ])("accepts %s", (_name, secret) => {
    expect(secretProblem(secret)).toBeNull();
    expect(createWebhookSchema.safeParse({ ...base, secret }).success).toBe(true);
  });

  it.each([
    ["3 characters", "abc", /16 to 128 printable ASCII/],
    ["15 characters", "abcdefghijklmno", /16 to 128 printable ASCII/],
    ["129 characters", "a".repeat(129), /./],
    ["a space", "abcdefgh ijklmnop", /printable ASCII characters without spaces/],
    ["a control character", "abcdefgh\u0007ijklmnop", /printable ASCII/],
    ["non-ASCII characters", "sécrétsécrétsécrét", /printable ASCII/],
    ["whsec_ + base64 of 8 bytes", `whsec_${randomBytes(8).toString("base64")}`, /24 to 64 bytes, not 8/],
    ["whsec_ + base64 of 23 bytes", `whsec_${randomBytes(23).toString("base64")}`, /not 23/],
    ["whsec_ + base64 of 65 bytes", `whsec_${randomBytes(65).toString("base64")}`, /./],
    ["whsec_ + something that is not base64", "whsec_this is not base64 at all!!", /base64/],
    ["whsec_ + URL-safe base64", `whsec_${"_-".repeat(16)}`, /standard, padded base64/],
    [
      "whsec_ + base64 without its padding",
      `whsec_${randomBytes(31).toString("base64").replace(/=+$/, "")}`,
      /padded/,
    ],
    ["whsec_ alone", "whsec_", /24 to 64 bytes, not 0/],
  ])("refuses %s", (_name, secret, message) => {
    const result = createWebhookSchema.safeParse({ ...base, secret });
    expect(result.success).toBe(false);
    expect(issues(result).some((issue) => issue.path === "secret" && message.test(issue.message))).toBe(true);
  });

  it("cannot be set by PATCH, and the answer names rotate-secret", () => {
    const result = updateWebhookSchema.safeParse({ secret: "abcdefghijklmnopqrstuvwxyz" });
    expect(result.success).toBe(false);
    const [first] = issues(result);
    expect(first?.path).toBe("secret");
    expect(first?.message).toMatch(/rotate-secret/);
    expect(updateWebhookSchema.safeParse({ secret: null }).success).toBe(false);
  });
});

describe("signature_header", () => {
  it.each([
    "X-Truss-Signature",
    "X-Hub-Signature-256",
    "X-Shopify-Hmac-Sha256",
    "X-Webhook-Signature",
    "x-webhook-signature",
  ])("accepts %s", (signature_header) => {
    expect(createWebhookSchema.safeParse({ ...base, signature_header }).success).toBe(true);
    expect(updateWebhookSchema.safeParse({ signature_header }).success).toBe(true);
  });

  it.each([
    ["Content-Type", "is a reserved header"],
    ["webhook-id", "is a reserved header"],
    ["Webhook-Signature", "is a reserved header"],
    ["X-Webhook-Event", "is a reserved header"],
    ["Host", "is a reserved header"],
    ["Bad Header", "is not a valid header name"],
    ["X-Sig:nature", "is not a valid header name"],
    ["", "Too small: expected string to have >=1 characters"],
  ])("refuses %j: %s", (signature_header, message) => {
    for (const result of [
      createWebhookSchema.safeParse({ ...base, signature_header }),
      updateWebhookSchema.safeParse({ signature_header }),
    ]) {
      expect(result.success).toBe(false);
      expect(issues(result)).toContainEqual({ path: "signature_header", message });
    }
  });

  it("must not be one of the webhook's custom headers, in any case", () => {
    const result = createWebhookSchema.safeParse({
      ...base,
      headers: { "x-truss-signature": "abc" },
      signature_header: "X-Truss-Signature",
    });
    expect(issues(result)).toEqual([
      { path: "signature_header", message: "is the same header as the custom header x-truss-signature" },
    ]);
    expect(clashingCustomHeader("X-A", { "X-B": "1", "x-a": "2" })).toBe("x-a");
    expect(clashingCustomHeader(null, { "X-A": "1" })).toBeUndefined();
  });

  it("is stored as null when it is the default name", () => {
    expect(storedSignatureHeader(undefined)).toBeNull();
    expect(storedSignatureHeader(null)).toBeNull();
    expect(storedSignatureHeader("X-WEBHOOK-SIGNATURE")).toBeNull();
    expect(storedSignatureHeader("X-Truss-Signature")).toBe("X-Truss-Signature");
  });
});

describe("signature_format", () => {
  it.each(["sha256=hex", "hex", "base64"])("accepts %s", (signature_format) => {
    expect(createWebhookSchema.safeParse({ ...base, signature_format }).success).toBe(true);
  });

  it.each(["sha1=hex", "HEX", "base64url", ""])("refuses %j", (signature_format) => {
    const result = createWebhookSchema.safeParse({ ...base, signature_format });
    expect(result.success).toBe(false);
    expect(issues(result)[0]?.path).toBe("signature_format");
  });
});
