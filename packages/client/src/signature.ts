import { createHmac } from "node:crypto";

// Standard Webhooks (https://www.standardwebhooks.com): HMAC-SHA256 over "<webhook-id>.<webhook-timestamp>.<body>",
// keyed by the base64-decoded part of the secret after `whsec_`. hookrelay signs with this very code.
export const SECRET_PREFIX = "whsec_";

/**
 * The Standard Webhooks key: the base64-decoded part after `whsec_`, or, for a secret brought from another
 * provider without that prefix, its own UTF-8 bytes (the libraries' "raw" key format).
 */
export function secretKeyBytes(secret: string): Buffer {
  return secret.startsWith(SECRET_PREFIX)
    ? Buffer.from(secret.slice(SECRET_PREFIX.length), "base64")
    : Buffer.from(secret, "utf8");
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
