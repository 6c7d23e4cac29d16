import { createHmac, randomBytes } from "node:crypto";

// Standard Webhooks signing (https://www.standardwebhooks.com): HMAC-SHA256 over
// "<webhook-id>.<webhook-timestamp>.<body>", keyed by the base64-decoded part of the secret after `whsec_`.
export const SECRET_PREFIX = "whsec_";

export function generateWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString("base64");
}

export function secretKeyBytes(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  return Buffer.from(encoded, "base64");
}

export function signStandardWebhook(
  secret: string,
  webhookId: string,
  timestampSeconds: number,
  body: string | Buffer,
): string {
  const hmac = createHmac("sha256", secretKeyBytes(secret));
  hmac.update(`${webhookId}.${timestampSeconds}.`);
  hmac.update(body);
  return `v1,${hmac.digest("base64")}`;
}

/** The compatibility header: hex HMAC-SHA256 of the raw body keyed by the whole secret string. */
export function signCompatibility(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

export type SignatureHeaders = {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
  "x-webhook-signature": string;
};

/**
 * Headers that sign one attempt. `secrets` holds the current secret first, then any previous secret that
 * is still inside its rotation window; each adds a `v1,` entry. The compatibility header uses the current one.
 */
export function signatureHeaders(
  secrets: readonly [string, ...string[]],
  webhookId: string,
  timestampSeconds: number,
  body: string | Buffer,
): SignatureHeaders {
  return {
    "webhook-id": webhookId,
    "webhook-timestamp": String(timestampSeconds),
    "webhook-signature": secrets
      .map((secret) => signStandardWebhook(secret, webhookId, timestampSeconds, body))
      .join(" "),
    "x-webhook-signature": signCompatibility(secrets[0], body),
  };
}
