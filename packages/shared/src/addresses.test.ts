import { checkWebhookTarget, isBlockedAddress, type Resolver } from "./addresses.js";

// A resolver under the test's control: names map to fixed answers, anything else fails like NXDOMAIN.
const answers: Record<string, string[]> = {
  "hooks.example.com": ["93.184.216.34"],
  "v6.example.com": ["2606:2800:220:1:248:1893:25c8:1946"],
  "internal.example.com": ["10.1.2.3"],
  "mixed.example.com": ["93.184.216.34", "192.168.1.10"],
  "metadata.example.com": ["169.254.169.254"],
  "ula.example.com": ["fd00::1"],
  "rebind.example.com": ["127.0.0.1"],
};
const resolve: Resolver = async (hostname) => {
  const found = answers[hostname];
  if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
  return found.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
};
const strict = { requireHttps: false, allowPrivateTargets: false, resolve };

describe("webhook target rules", () => {
  it.each([
    // allowed
    ["https://hooks.example.com/webhooks", null],
    ["http://hooks.example.com:8080/x?y=1", null],
    ["https://v6.example.com/", null],
    ["https://93.184.216.34/", null],
    ["https://[2606:2800:220:1:248:1893:25c8:1946]/", null],
    ["https://8.8.8.8/", null],
    ["https://100.63.255.255/", null],
    ["https://100.128.0.1/", null],
    ["https://172.32.0.1/", null],
    ["https://[64:ff9b::808:808]/", null],
    ["https://unresolvable.example.net/", null],
    // loopback in every spelling
    ["http://127.0.0.1/", "private"],
    ["http://127.255.255.254/", "private"],
    ["http://2130706433/", "private"],
    ["http://0x7f.1/", "private"],
    ["http://0x7f000001/", "private"],
    ["http://017700000001/", "private"],
    ["http://127.1/", "private"],
    ["http://localhost:3000/", "local host name"],
    ["http://LOCALHOST./", "local host name"],
    ["http://api.localhost/", "local host name"],
    ["http://[::1]/", "private"],
    // private, link-local, CGNAT, multicast, unspecified, reserved
    ["http://10.0.0.1/", "private"],
    ["http://172.16.0.1/", "private"],
    ["http://172.31.255.255/", "private"],
    ["http://192.168.1.1/", "private"],
    ["http://169.254.169.254/latest/meta-data", "private"],
    ["http://100.64.0.1/", "private"],
    ["http://224.0.0.1/", "private"],
    ["http://239.255.255.250/", "private"],
    ["http://0.0.0.0/", "private"],
    ["http://0/", "private"],
    ["http://255.255.255.255/", "private"],
    ["http://198.18.0.1/", "private"],
    // IPv6: unspecified, ULA, link-local, multicast, mapped, NAT64, 6to4, Teredo
    ["http://[::]/", "private"],
    ["http://[fd12:3456::1]/", "private"],
    ["http://[fc00::1]/", "private"],
    ["http://[fe80::1]/", "private"],
    ["http://[ff02::1]/", "private"],
    ["http://[::ffff:127.0.0.1]/", "private"],
    ["http://[::ffff:10.0.0.1]/", "private"],
    ["http://[::ffff:169.254.169.254]/", "private"],
    ["http://[64:ff9b::127.0.0.1]/", "private"],
    ["http://[64:ff9b::a00:1]/", "private"],
    ["http://[2002:7f00:1::]/", "private"],
    ["http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", "private"],
    // names that resolve to blocked addresses
    ["https://internal.example.com/", "resolves to a private"],
    ["https://mixed.example.com/", "resolves to a private"],
    ["https://metadata.example.com/", "resolves to a private"],
    ["https://ula.example.com/", "resolves to a private"],
    ["https://rebind.example.com/", "resolves to a private"],
  ])("%s → %s", async (url, refusal) => {
    const reason = await checkWebhookTarget(url, strict);
    if (refusal === null) expect(reason).toBeNull();
    else expect(reason).toContain(refusal);
  });

  it("allows private targets when configured to", async () => {
    const open = { ...strict, allowPrivateTargets: true };
    for (const url of ["http://127.0.0.1:4000/", "http://localhost/", "https://internal.example.com/"]) {
      expect(await checkWebhookTarget(url, open)).toBeNull();
    }
  });

  it("requires https in production, even for allowed hosts", async () => {
    const production = { ...strict, requireHttps: true };
    expect(await checkWebhookTarget("http://hooks.example.com/", production)).toBe(
      "must use https in production",
    );
    expect(await checkWebhookTarget("https://hooks.example.com/", production)).toBeNull();
    expect(await checkWebhookTarget("http://127.0.0.1/", { ...production, allowPrivateTargets: true })).toBe(
      "must use https in production",
    );
  });

  it("refuses credentials in the URL", async () => {
    expect(await checkWebhookTarget("https://user:pw@hooks.example.com/", strict)).toBe(
      "must not contain credentials",
    );
  });

  it("classifies bare addresses", () => {
    expect(isBlockedAddress("93.184.216.34")).toBe(false);
    expect(isBlockedAddress("::ffff:7f00:1")).toBe(true);
    expect(isBlockedAddress("not-an-ip")).toBe(true);
  });
});
