import { randomBytes } from "node:crypto";
import { SecretBox } from "./secret-box.js";

describe("SecretBox", () => {
  const box = new SecretBox(randomBytes(32));

  it("round-trips, with a fresh nonce each time", () => {
    const secret = "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0IQ==";
    const one = box.encrypt(secret);
    const two = box.encrypt(secret);
    expect(one).not.toBe(two);
    expect(one).not.toContain("c2VjcmV0");
    expect(box.decrypt(one)).toBe(secret);
    expect(box.decrypt(two)).toBe(secret);
  });

  it("refuses tampered ciphertext and a wrong key", () => {
    const stored = box.encrypt("whsec_abc");
    const parts = stored.split(".");
    const flipped = Buffer.from(parts[3] ?? "", "base64");
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(() => box.decrypt([parts[0], parts[1], parts[2], flipped.toString("base64")].join("."))).toThrow();
    expect(() => new SecretBox(randomBytes(32)).decrypt(stored)).toThrow();
    expect(() => box.decrypt("garbage")).toThrow("unreadable");
  });

  it("needs a 32-byte key", () => {
    expect(() => new SecretBox(randomBytes(16))).toThrow("32 bytes");
  });
});
