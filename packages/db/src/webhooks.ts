import type { Database } from "./client.js";

/**
 * Makes `secretCiphertext` the webhook's signing secret and the current one its previous secret, in one
 * statement: concurrent rotations queue on the row lock and each sees the one before it, so no secret a
 * caller was given is dropped before its window ends. False when the webhook is gone.
 */
export async function rotateSecret(
  db: Database,
  {
    webhookId,
    secretCiphertext,
    previousExpiresAt,
  }: { webhookId: string; secretCiphertext: string; previousExpiresAt: Date },
): Promise<boolean> {
  const updated = await db.$executeRaw`
    UPDATE webhooks SET previous_secret_ciphertext = secret_ciphertext, secret_ciphertext = ${secretCiphertext},
           previous_secret_expires_at = ${previousExpiresAt}, updated_at = now()
    WHERE id = ${webhookId}`;
  return updated === 1;
}
