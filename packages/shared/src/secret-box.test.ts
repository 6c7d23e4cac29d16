import { randomBytes } from "node:crypto";
import { SecretBox } from "./secret-box.js";

/** Flips one bit of one base64 part of a stored value ("v1.<nonce>.<tag>.<ciphertext>"). */
function flipBit(stored: string, partIndex: number): string {
  const parts = stored.split(".");
  const bytes = Buffer.from(parts[partIndex] ?? "", "base64");
  bytes[0] = (bytes[0] ?? 0) ^ 1;
  parts[partIndex] = bytes.toString("base64");
  return parts.join(".");
}

/** Node's error when AES-GCM's authentication fails (a changed nonce, tag, ciphertext or key). */
const GCM_REFUSED = "Unsupported state or unable to authenticate data";

describe("SecretBox", () => {
  const box = new SecretBox(randomBytes(32));
  const secret = "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0IQ==";

  it("round-trips a secret", () => {
    expect(box.decrypt(box.encrypt(secret))).toBe(secret);
  });

  it("round-trips unicode and the empty string", () => {
    expect(box.decrypt(box.encrypt("naïve ✓ 日本 🚀"))).toBe("naïve ✓ 日本 🚀");
    expect(box.decrypt(box.encrypt(""))).toBe("");
  });

  it("decrypts with another box built from the same key", () => {
    const key = randomBytes(32);
    expect(new SecretBox(Buffer.from(key)).decrypt(new SecretBox(key).encrypt(secret))).toBe(secret);
  });

  it("stores v1.<nonce>.<tag>.<ciphertext> with a 12-byte nonce and a 16-byte tag, never the plaintext", () => {
    const stored = box.encrypt(secret);
    const [version, nonce, tag, ciphertext] = stored.split(".");
    expect(stored.split(".")).toHaveLength(4);
    expect(version).toBe("v1");
    expect(Buffer.from(nonce ?? "", "base64")).toHaveLength(12);
    expect(Buffer.from(tag ?? "", "base64")).toHaveLength(16);
    expect(Buffer.from(ciphertext ?? "", "base64")).toHaveLength(Buffer.byteLength(secret));
    expect(stored).not.toContain("c2VjcmV0");
  });

  it("gives a different ciphertext each time for the same plaintext", () => {
    const stored = Array.from({ length: 10 }, () => box.encrypt(secret));
    expect(new Set(stored).size).toBe(10);
    expect(new Set(stored.map((one) => one.split(".")[1])).size).toBe(10);
    for (const one of stored) expect(box.decrypt(one)).toBe(secret);
  });

  it.each([
    ["ciphertext", 3],
    ["auth tag", 2],
    ["nonce", 1],
  ])("throws when the %s was tampered with", (_part, index) => {
    const stored = box.encrypt(secret);
    expect(() => box.decrypt(flipBit(stored, index))).toThrow(GCM_REFUSED);
  });

  it("throws when decrypting with a wrong key", () => {
    const stored = box.encrypt(secret);
    expect(() => new SecretBox(randomBytes(32)).decrypt(stored)).toThrow(GCM_REFUSED);
  });

  it.each(["garbage", "", "v2.a.b.c", "v1.a.b", "v1..b.c"])("refuses the unreadable value %j", (stored) => {
    expect(() => box.decrypt(stored)).toThrow("unreadable encrypted secret");
  });

  it.each([0, 16, 31, 33, 64])("refuses a %d-byte key", (length) => {
    expect(() => new SecretBox(randomBytes(length))).toThrow("SECRETS_KEY must decode to exactly 32 bytes");
  });
});

describe("SecretBox tag length", () => {
  it("refuses a truncated authentication tag", () => {
    const box = new SecretBox(Buffer.alloc(32, 3));
    const [version, nonce, tag, ciphertext] = box.encrypt("whsec_abc").split(".");
    const shortTag = Buffer.from(tag ?? "", "base64")
      .subarray(0, 4)
      .toString("base64");
    expect(() => box.decrypt([version, nonce, shortTag, ciphertext].join("."))).toThrow("unreadable");
  });
});
