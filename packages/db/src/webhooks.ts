import { Prisma } from "./generated/prisma/client.js";
import { type RawClient, rawQuery } from "./raw-rows.js";

const secretRotation = rawQuery({
  name: "rotate webhook secret",
  columns: {
    webhooks: [
      "id",
      "secret_ciphertext",
      "previous_secret_ciphertext",
      "previous_secret_expires_at",
      "updated_at",
    ],
  },
  row: {},
  sql: (webhookId: string, secretCiphertext: string, previousExpiresAt: Date) => Prisma.sql`
    UPDATE webhooks SET previous_secret_ciphertext = secret_ciphertext, secret_ciphertext = ${secretCiphertext},
           previous_secret_expires_at = ${previousExpiresAt}, updated_at = now()
    WHERE id = ${webhookId}`,
});

/**
 * Makes `secretCiphertext` the webhook's signing secret and the current one its previous secret, in one
 * statement: concurrent rotations queue on the row lock and each sees the one before it, so no secret a
 * caller was given is dropped before its window ends. False when the webhook is gone.
 */
export async function rotateSecret(
  db: RawClient,
  {
    webhookId,
    secretCiphertext,
    previousExpiresAt,
  }: { webhookId: string; secretCiphertext: string; previousExpiresAt: Date },
): Promise<boolean> {
  return (await secretRotation.execute(db, webhookId, secretCiphertext, previousExpiresAt)) === 1;
}
