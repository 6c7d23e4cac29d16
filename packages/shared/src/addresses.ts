import { lookup } from "node:dns/promises";
import net from "node:net";

// One predicate decides which addresses a webhook may reach (SSRF guard); both the api (at create/update)
// and the dispatcher (at connect time, after its own DNS lookup) use it.

const BLOCKED_V4: Array<[string, number]> = [
  ["0.0.0.0", 8], // "this network", unspecified
  ["10.0.0.0", 8], // RFC 1918
  ["100.64.0.0", 10], // CGNAT
  ["127.0.0.0", 8], // loopback
  ["169.254.0.0", 16], // link-local, cloud metadata (169.254.169.254)
  ["172.16.0.0", 12], // RFC 1918
  ["192.0.0.0", 24], // IETF protocol assignments
  ["192.0.2.0", 24], // documentation
  ["192.88.99.0", 24], // 6to4 relay anycast
  ["192.168.0.0", 16], // RFC 1918
  ["198.18.0.0", 15], // benchmarking
  ["198.51.100.0", 24], // documentation
  ["203.0.113.0", 24], // documentation
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, broadcast
];

const BLOCKED_V6: Array<[string, number]> = [
  ["::", 128], // unspecified
  ["::1", 128], // loopback
  ["64:ff9b:1::", 48], // local-use NAT64
  ["100::", 64], // discard-only
  ["2001::", 32], // Teredo (embeds an obfuscated IPv4)
  ["2001:db8::", 32], // documentation
  ["fc00::", 7], // unique local (ULA)
  ["fe80::", 10], // link-local
  ["fec0::", 10], // site-local (deprecated)
  ["ff00::", 8], // multicast
];

const blockList = new net.BlockList();
for (const [address, prefix] of BLOCKED_V4) blockList.addSubnet(address, prefix, "ipv4");
for (const [address, prefix] of BLOCKED_V6) blockList.addSubnet(address, prefix, "ipv6");

/** The 16 bytes of an IPv6 address (with `::` and a dotted IPv4 tail expanded). */
function ipv6Bytes(address: string): number[] {
  let text = address;
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (tail) {
    const [a = 0, b = 0, c = 0, d = 0] = tail.split(".").map(Number);
    text = text.slice(0, -tail.length) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", rest] = text.split("::");
  const left = head ? head.split(":") : [];
  const right = rest ? rest.split(":") : [];
  const groups = [...left, ...Array(8 - left.length - right.length).fill("0"), ...right];
  return groups.flatMap((group) => {
    const value = Number.parseInt(group || "0", 16);
    return [value >> 8, value & 0xff];
  });
}

/** IPv4 carried inside an IPv6 address (mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16). */
function embeddedIpv4(address: string): string | null {
  const bytes = ipv6Bytes(address);
  const isZero = (from: number, to: number) => bytes.slice(from, to).every((b) => b === 0);
  const quad = (offset: number) => bytes.slice(offset, offset + 4).join(".");
  if (isZero(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return quad(12); // ::ffff:a.b.c.d
  if (bytes[0] === 0x00 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b && isZero(4, 12)) {
    return quad(12); // NAT64 well-known prefix
  }
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return quad(2); // 6to4
  if (isZero(0, 12) && !isZero(12, 14)) return quad(12); // deprecated IPv4-compatible ::a.b.c.d
  return null;
}

/** True for any address a webhook must not reach unless private targets are allowed. */
export function isBlockedAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 4) return blockList.check(address, "ipv4");
  if (family !== 6) return true; // not an IP address at all: refuse rather than guess
  const embedded = embeddedIpv4(address);
  if (embedded && blockList.check(embedded, "ipv4")) return true;
  return blockList.check(address, "ipv6");
}

export type Resolver = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

export const systemResolver: Resolver = (hostname) => lookup(hostname, { all: true, verbatim: true });

/** The URL's host as a bare name or IP (IPv6 without brackets, trailing dot dropped, lower case). */
export function targetHost(url: URL): string {
  const host = url.hostname.toLowerCase();
  const bare = host.startsWith("[") ? host.slice(1, -1) : host;
  return bare.endsWith(".") ? bare.slice(0, -1) : bare;
}

function isLocalName(host: string): boolean {
  return (
    host === "localhost" ||
    host.endsWith(".localhost") ||
    host.endsWith(".local") ||
    host.endsWith(".internal")
  );
}

export interface TargetPolicy {
  /** NODE_ENV=production: HTTPS only. */
  requireHttps: boolean;
  allowPrivateTargets: boolean;
  resolve?: Resolver;
}

/**
 * Why a webhook URL is refused, or null when it is acceptable. URL parsing already turns the odd IPv4
 * spellings (2130706433, 0x7f.1, 017700000001, 127.1) into dotted quads. A name that does not resolve
 * now is accepted: the dispatcher checks every address again when it connects.
 */
export async function checkWebhookTarget(url: string, policy: TargetPolicy): Promise<string | null> {
  const parsed = new URL(url);
  if (policy.requireHttps && parsed.protocol !== "https:") return "must use https in production";
  if (parsed.username || parsed.password) return "must not contain credentials";
  if (policy.allowPrivateTargets) return null;
  const host = targetHost(parsed);
  if (net.isIP(host)) return isBlockedAddress(host) ? "points to a private or reserved address" : null;
  if (isLocalName(host)) return "points to a local host name";
  let addresses: Array<{ address: string }>;
  try {
    addresses = await (policy.resolve ?? systemResolver)(host);
  } catch {
    return null;
  }
  return addresses.some(({ address }) => isBlockedAddress(address))
    ? "resolves to a private or reserved address"
    : null;
}
