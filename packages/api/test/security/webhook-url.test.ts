import type { LookupAddress } from "node:dns";
import { describe, expect, it } from "vitest";
import {
  checkedLookup,
  checkWebhookUrl,
  privateKindOf,
  WebhookUrlRefused,
} from "../../src/webhooks/url-policy.js";

/** Addresses a webhook must not reach, with the kind the refusal names. */
const REFUSED: Array<[string, string]> = [
  ["127.0.0.1", "loopback"],
  ["127.255.255.254", "loopback"],
  ["::1", "loopback"],
  ["0.0.0.0", "unspecified"],
  ["0.1.2.3", "unspecified"],
  ["::", "unspecified"],
  ["169.254.169.254", "link-local"],
  ["169.254.0.1", "link-local"],
  ["fe80::1", "link-local"],
  ["febf:ffff::1", "link-local"],
  ["fe80::1%eth0", "link-local"],
  ["10.0.0.1", "private"],
  ["10.255.255.255", "private"],
  ["172.16.0.1", "private"],
  ["172.31.255.255", "private"],
  ["192.168.1.1", "private"],
  ["fc00::1", "private"],
  ["fd12:3456:789a::1", "private"],
  ["100.64.0.1", "shared (carrier-grade NAT)"],
  ["224.0.0.1", "multicast"],
  ["ff02::1", "multicast"],
  ["255.255.255.255", "reserved"],
  // IPv4 inside IPv6: judged by the IPv4 address they carry.
  ["::ffff:127.0.0.1", "loopback"],
  ["::ffff:7f00:1", "loopback"],
  ["::ffff:169.254.169.254", "link-local"],
  ["::ffff:a9fe:a9fe", "link-local"],
  ["::ffff:10.1.2.3", "private"],
  ["::ffff:0.0.0.0", "unspecified"],
  ["::127.0.0.1", "loopback"],
  ["64:ff9b::10.0.0.1", "private"],
  ["2002:7f00:1::", "loopback"],
  ["[::1]", "loopback"],
];

const PUBLIC = [
  "8.8.8.8",
  "1.1.1.1",
  "203.0.113.9",
  "172.32.0.1",
  "172.15.255.255",
  "192.169.0.1",
  "100.128.0.1",
  "2606:4700::1111",
  "::ffff:8.8.8.8",
  "2002:0808:0808::",
];

/** URLs a caller could write for those addresses: the URL parser reduces each to the address. */
const REFUSED_URLS = [
  "http://127.0.0.1:9/hook",
  "http://127.1/hook",
  "http://2130706433/hook",
  "http://0x7f000001/hook",
  "http://0177.0.0.1/hook",
  "http://[::1]:8080/hook",
  "http://[::ffff:127.0.0.1]/hook",
  "http://[::ffff:169.254.169.254]/latest/meta-data",
  "https://169.254.169.254/latest/meta-data",
  "http://0.0.0.0/",
  "http://[::]/",
  "http://10.0.0.5/",
  "http://[fd00::5]/",
  "http://[fe80::1]/",
  "http://192.168.0.10:3000/x",
];

const resolver =
  (answers: Record<string, string[]>) =>
  async (host: string): Promise<LookupAddress[]> => {
    const all = answers[host];
    if (!all) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
    return all.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  };

describe("webhook addresses (SSRF)", () => {
  it("classifies loopback, link-local, private, unspecified and IPv4-mapped addresses, and lets public ones through", () => {
    for (const [address, kind] of REFUSED) expect(privateKindOf(address), address).toBe(kind);
    for (const address of PUBLIC) expect(privateKindOf(address), address).toBeNull();
    console.log(`[security-ssrf] addresses refused=${REFUSED.length} public=${PUBLIC.length}`);
  });

  it("refuses every spelling of a private address in a URL, naming the field and the value", async () => {
    for (const url of REFUSED_URLS) {
      const error = await checkWebhookUrl(url, { allowPrivate: false }, resolver({})).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error, url).toBeInstanceOf(WebhookUrlRefused);
      expect((error as Error).message).toMatch(/^url: "/);
      expect((error as Error).message).toContain(url);
      expect((error as Error).message).toContain("--allow-private-webhooks");
    }
    console.log(`[security-ssrf] url spellings refused=${REFUSED_URLS.length}`);
  });

  it("refuses a name that resolves to a private address (any of its answers), accepts a public or unresolvable one", async () => {
    const dns = resolver({
      "localhost.test": ["127.0.0.1"],
      "mixed.test": ["93.184.215.14", "10.0.0.7"],
      "metadata.test": ["fd00:ec2::254"],
      "public.test": ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
    });
    for (const [url, address] of [
      ["http://localhost.test/hook", "127.0.0.1"],
      ["https://mixed.test/hook", "10.0.0.7"],
      ["https://metadata.test/", "fd00:ec2::254"],
    ] as const) {
      const error = await checkWebhookUrl(url, { allowPrivate: false }, dns).catch((e: Error) => e);
      expect(error, url).toBeInstanceOf(WebhookUrlRefused);
      expect((error as Error).message).toContain(`resolves to ${address}`);
    }
    await expect(
      checkWebhookUrl("https://public.test/hook", { allowPrivate: false }, dns),
    ).resolves.toBeUndefined();
    // Not resolvable now: nothing to reach yet; each delivery checks again.
    await expect(
      checkWebhookUrl("https://nowhere.test/", { allowPrivate: false }, dns),
    ).resolves.toBeUndefined();
    // The real resolver: `localhost` is loopback on every machine.
    await expect(checkWebhookUrl("http://localhost:9/hook", { allowPrivate: false })).rejects.toThrow(
      /url: "http:\/\/localhost:9\/hook" resolves to (127\.0\.0\.1|::1), which is a loopback address/,
    );
  });

  it("allows them all when the admin said so", async () => {
    for (const url of [...REFUSED_URLS, "http://localhost:9/hook"]) {
      await expect(checkWebhookUrl(url, { allowPrivate: true })).resolves.toBeUndefined();
    }
  });

  it("the delivery lookup hands the socket only addresses it checked, and refuses a rebound name", async () => {
    // First answer public, second private: a rebinding name. Each connection judges its own answer.
    let calls = 0;
    const rebinding = async (): Promise<LookupAddress[]> => {
      calls += 1;
      return [{ address: calls === 1 ? "93.184.215.14" : "127.0.0.1", family: 4 }];
    };
    const lookup = checkedLookup("http://rebind.test/hook", { allowPrivate: false }, rebinding);
    const ask = () =>
      new Promise<{ error: Error | null; address: string }>((resolve) =>
        lookup("rebind.test", { family: 0 }, (error, address) =>
          resolve({ error, address: typeof address === "string" ? address : "" }),
        ),
      );
    const first = await ask();
    expect(first).toEqual({ error: null, address: "93.184.215.14" });
    const second = await ask();
    expect(second.error).toBeInstanceOf(WebhookUrlRefused);
    expect(second.error?.message).toContain("resolves to 127.0.0.1");
    expect(second.address).toBe("");
  });
});
