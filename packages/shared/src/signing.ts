import { createHmac, randomBytes } from "node:crypto";

// Standard Webhooks signing (https://www.standardwebhooks.com) lives in the client package, which receivers
// use to verify: the sender and the verifier share one implementation.
import { SECRET_PREFIX, signStandardWebhook } from "@hookrelay/client";

export { SECRET_PREFIX, secretKeyBytes, signStandardWebhook } from "@hookrelay/client";

/** The extra HMAC header's name when a webhook does not choose one. */
export const DEFAULT_SIGNATURE_HEADER = "X-Webhook-Signature";

/**
 * How the extra header writes its HMAC: `sha256=<hex>` (GitHub-style, the default), bare lower-case hex
 * (Truss's `X-Truss-Signature`) or base64 (Shopify's `X-Shopify-Hmac-Sha256`).
 */
export const SIGNATURE_FORMATS = ["sha256=hex", "hex", "base64"] as const;
export type SignatureFormat = (typeof SIGNATURE_FORMATS)[number];
export const DEFAULT_SIGNATURE_FORMAT: SignatureFormat = "sha256=hex";

export function isSignatureFormat(value: string): value is SignatureFormat {
  return (SIGNATURE_FORMATS as readonly string[]).includes(value);
}

export function generateWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString("base64");
}

/** The extra header's value: HMAC-SHA256 of the raw body keyed by the whole secret string, in `format`. */
export function signCompatibility(
  secret: string,
  body: string | Buffer,
  format: SignatureFormat = DEFAULT_SIGNATURE_FORMAT,
): string {
  const digest = createHmac("sha256", secret).update(body).digest();
  if (format === "base64") return digest.toString("base64");
  if (format === "hex") return digest.toString("hex");
  return `sha256=${digest.toString("hex")}`;
}

/** A webhook's choice for the extra header; a null name means `X-Webhook-Signature`. */
export interface SignatureStyle {
  header: string | null;
  format: SignatureFormat;
}

export const DEFAULT_SIGNATURE_STYLE: SignatureStyle = { header: null, format: DEFAULT_SIGNATURE_FORMAT };

export type SignatureHeaders = {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
} & Record<string, string>;

/**
 * Headers that sign one attempt. `secrets` holds the current secret first, then any previous secret that
 * is still inside its rotation window; each adds a `v1,` entry. The extra header (only the webhook's chosen
 * one: a custom name replaces `x-webhook-signature`) uses the current secret only.
 */
export function signatureHeaders(
  secrets: readonly [string, ...string[]],
  webhookId: string,
  timestampSeconds: number,
  body: string | Buffer,
  style: SignatureStyle = DEFAULT_SIGNATURE_STYLE,
): SignatureHeaders {
  const extraHeader = (style.header ?? DEFAULT_SIGNATURE_HEADER).toLowerCase();
  return {
    "webhook-id": webhookId,
    "webhook-timestamp": String(timestampSeconds),
    "webhook-signature": secrets
      .map((secret) => signStandardWebhook(secret, webhookId, timestampSeconds, body))
      .join(" "),
    [extraHeader]: signCompatibility(secrets[0], body, style.format),
  };
}
