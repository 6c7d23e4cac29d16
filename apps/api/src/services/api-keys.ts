import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Database } from "@hookrelay/db";
import { newId } from "@hookrelay/shared";
import type { ApiContext } from "../context.js";
import { notFound } from "../errors.js";

const KEY_PREFIX = "hr_";
const VISIBLE_CHARS = 11;

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

/** Compares two secrets in constant time, whatever their lengths, by comparing their hashes. */
export function sameSecret(offered: string, expected: string): boolean {
  return timingSafeEqual(
    createHash("sha256").update(offered).digest(),
    createHash("sha256").update(expected).digest(),
  );
}

export function generateApiKey(): string {
  return KEY_PREFIX + randomBytes(24).toString("base64url");
}

/** Creates a key for a project; the plain key is returned here only. `db` may be a transaction. */
export async function createApiKey(db: Pick<Database, "apiKey">, projectId: string) {
  const apiKey = generateApiKey();
  const row = await db.apiKey.create({
    data: {
      id: newId("apiKey"),
      projectId,
      prefix: apiKey.slice(0, VISIBLE_CHARS),
      keyHash: hashApiKey(apiKey),
    },
  });
  return { id: row.id, api_key: apiKey, prefix: row.prefix, created_at: row.createdAt.toISOString() };
}

export async function revokeApiKey(ctx: ApiContext, projectId: string, keyId: string): Promise<void> {
  const { count } = await ctx.db.apiKey.updateMany({
    where: { id: keyId, projectId, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  ctx.lookups.changed();
  if (count === 0) throw notFound("api key");
}

/** The project a live key belongs to, or null. The lookup is by hash, so timing reveals nothing of the key. */
export function projectForApiKey(ctx: ApiContext, apiKey: string): Promise<string | null> {
  return ctx.lookups.projectForKeyHash(hashApiKey(apiKey));
}
