import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

// Webhook secrets at rest: AES-256-GCM with a random 96-bit nonce. Stored as
// "v1.<nonce b64>.<auth tag b64>.<ciphertext b64>" so the format can change later without guessing.
const VERSION = "v1";

export class SecretBox {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error("SECRETS_KEY must decode to exactly 32 bytes");
    this.#key = key;
  }

  encrypt(plaintext: string): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.#key, nonce);
    const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return [VERSION, nonce, cipher.getAuthTag(), ciphertext]
      .map((part) => (typeof part === "string" ? part : part.toString("base64")))
      .join(".");
  }

  decrypt(stored: string): string {
    const parts = stored.split(".");
    const [version, nonceText, tagText, ciphertext] = parts;
    const nonce = Buffer.from(nonceText ?? "", "base64");
    const tag = Buffer.from(tagText ?? "", "base64");
    // A full 16-byte tag only: GCM would otherwise accept a truncated one (4+ bytes), making forgery cheap.
    if (
      parts.length !== 4 ||
      version !== VERSION ||
      nonce.length !== 12 ||
      tag.length !== 16 ||
      ciphertext === undefined
    ) {
      throw new Error("unreadable encrypted secret");
    }
    const decipher = createDecipheriv("aes-256-gcm", this.#key, nonce, { authTagLength: 16 });
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64")), decipher.final()]).toString(
      "utf8",
    );
  }
}
