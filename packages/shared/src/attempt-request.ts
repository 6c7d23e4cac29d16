import type { SecretBox } from "./secret-box.js";
import { isSignatureFormat, type SignatureStyle, signatureHeaders } from "./signing.js";
import { USER_AGENT } from "./version.js";
import type { WebhookRequest } from "./webhook-http-client.js";

export interface StoredSecrets {
  secretCiphertext: string;
  previousSecretCiphertext: string | null;
  previousSecretExpiresAt: Date | null;
}

/** The current secret, then the previous one while its rotation window lasts. */
export function signingSecrets(
  webhook: StoredSecrets,
  secretBox: SecretBox,
  now: Date,
): [string, ...string[]] {
  const secrets: [string, ...string[]] = [secretBox.decrypt(webhook.secretCiphertext)];
  if (
    webhook.previousSecretCiphertext &&
    webhook.previousSecretExpiresAt &&
    webhook.previousSecretExpiresAt > now
  ) {
    secrets.push(secretBox.decrypt(webhook.previousSecretCiphertext));
  }
  return secrets;
}

export interface StoredSignatureStyle {
  signatureHeader: string | null;
  signatureFormat: string;
}

/** The webhook's extra signature header as stored; the api only ever stores a known format. */
export function signatureStyle(webhook: StoredSignatureStyle): SignatureStyle {
  if (!isSignatureFormat(webhook.signatureFormat)) {
    throw new Error(`unknown signature format ${JSON.stringify(webhook.signatureFormat)}`);
  }
  return { header: webhook.signatureHeader, format: webhook.signatureFormat };
}

export interface AttemptRequestInput {
  url: string;
  /** The event's stored envelope: the exact bytes every attempt sends and signs. */
  body: string;
  customHeaders: Record<string, string>;
  secrets: [string, ...string[]];
  /** The name and format of the extra HMAC header (the Standard Webhooks headers are always sent). */
  signature: SignatureStyle;
  eventId: string;
  eventType: string;
  deliveryId: string;
  attemptNumber: number;
  at: Date;
  timeoutMs: number;
}

/** One attempt's request as the SPEC's delivery contract describes it: body, signatures and headers. */
export function attemptRequest(input: AttemptRequestInput): WebhookRequest {
  return {
    url: input.url,
    body: input.body,
    timeoutMs: input.timeoutMs,
    headers: {
      ...input.customHeaders,
      "content-type": "application/json",
      "user-agent": USER_AGENT,
      ...signatureHeaders(
        input.secrets,
        input.eventId,
        Math.floor(input.at.getTime() / 1000),
        input.body,
        input.signature,
      ),
      "x-webhook-event": input.eventType,
      "x-webhook-delivery": input.deliveryId,
      "x-webhook-attempt": String(input.attemptNumber),
    },
  };
}
