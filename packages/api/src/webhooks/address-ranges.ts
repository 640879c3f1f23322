import { isIP } from "node:net";

/**
 * Which addresses a webhook may not reach (SSRF): an address inside the engine's machine or
 * network. Every form an address can take is reduced to its bytes first, so `127.1`,
 * `0x7f000001`, `::ffff:127.0.0.1` and `::ffff:7f00:1` are all the same loopback address.
 */
export type PrivateKind =
  | "loopback"
  | "link-local"
  | "private"
  | "unspecified"
  | "shared (carrier-grade NAT)"
  | "multicast"
  | "reserved";

type V4Range = [a: number, b: number, c: number, d: number, bits: number, kind: PrivateKind];

const V4_RANGES: V4Range[] = [
  [0, 0, 0, 0, 32, "unspecified"],
  [0, 0, 0, 0, 8, "unspecified"], // "this network": 0.x.y.z reaches the local host on Linux
  [127, 0, 0, 0, 8, "loopback"],
  [169, 254, 0, 0, 16, "link-local"], // cloud metadata (169.254.169.254) lives here
  [10, 0, 0, 0, 8, "private"],
  [172, 16, 0, 0, 12, "private"],
  [192, 168, 0, 0, 16, "private"],
  [100, 64, 0, 0, 10, "shared (carrier-grade NAT)"],
  [192, 0, 0, 0, 24, "reserved"], // IETF protocol assignments
  [198, 18, 0, 0, 15, "reserved"], // benchmarking, often routed to internal test networks
  [224, 0, 0, 0, 4, "multicast"],
  [240, 0, 0, 0, 4, "reserved"], // includes 255.255.255.255
];

function v4Kind(b: readonly number[]): PrivateKind | null {
  const value = ((b[0] ?? 0) << 24) | ((b[1] ?? 0) << 16) | ((b[2] ?? 0) << 8) | (b[3] ?? 0);
  for (const [a, b1, c, d, bits, kind] of V4_RANGES) {
    const base = (a << 24) | (b1 << 16) | (c << 8) | d;
    const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
    if ((value & mask) >>> 0 === (base & mask) >>> 0) return kind;
  }
  return null;
}

/** The 16 bytes of an IPv6 address (with or without brackets, an embedded dotted IPv4, a zone). */
function v6Bytes(address: string): number[] | null {
  let a = address.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (dotted?.[1]) {
    const v4 = dotted[1].split(".").map(Number);
    const hex = [((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0)];
    a = `${a.slice(0, -dotted[1].length)}${hex.map((h) => h.toString(16)).join(":")}`;
  }
  const halves = a.split("::");
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(":") : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const fill = halves.length === 2 ? 8 - head.length - tail.length : 0;
  const groups = [...head, ...Array<string>(Math.max(0, fill)).fill("0"), ...tail];
  if (groups.length !== 8) return null;
  const bytes: number[] = [];
  for (const g of groups) {
    const n = Number.parseInt(g, 16);
    if (!/^[0-9a-f]{1,4}$/i.test(g) || Number.isNaN(n)) return null;
    bytes.push(n >> 8, n & 0xff);
  }
  return bytes;
}

function v6Kind(b: readonly number[]): PrivateKind | null {
  const zeroUpTo = (n: number) => b.slice(0, n).every((x) => x === 0);
  if (zeroUpTo(16)) return "unspecified"; // ::
  if (zeroUpTo(15) && b[15] === 1) return "loopback"; // ::1
  // IPv4 inside IPv6: mapped (::ffff:a.b.c.d), the old "compatible" form (::a.b.c.d), NAT64
  // (64:ff9b::a.b.c.d) and 6to4 (2002:AABB:CCDD::): judged by the IPv4 address they carry.
  if (zeroUpTo(10) && b[10] === 0xff && b[11] === 0xff) return v4Kind(b.slice(12));
  if (zeroUpTo(12)) return v4Kind(b.slice(12));
  if (
    b[0] === 0x00 &&
    b[1] === 0x64 &&
    b[2] === 0xff &&
    b[3] === 0x9b &&
    b.slice(4, 12).every((x) => x === 0)
  )
    return v4Kind(b.slice(12));
  if (b[0] === 0x20 && b[1] === 0x02) return v4Kind(b.slice(2, 6));
  const first = b[0] ?? 0;
  const second = b[1] ?? 0;
  if (first === 0xfe && (second & 0xc0) === 0x80) return "link-local"; // fe80::/10
  if (first === 0xfe && (second & 0xc0) === 0xc0) return "private"; // fec0::/10, the old site-local
  if ((first & 0xfe) === 0xfc) return "private"; // fc00::/7, unique local
  if (first === 0xff) return "multicast";
  return null;
}

/**
 * What kind of non-public address `address` (an IP literal) is, or null for a public one.
 * Something that is not an IP address at all is "reserved": never treated as safe.
 */
export function privateKindOf(address: string): PrivateKind | null {
  const bare = address.replace(/^\[|\]$/g, "");
  const family = isIP(bare.replace(/%.*$/, ""));
  if (family === 4) return v4Kind(bare.split(".").map(Number));
  if (family === 6) {
    const bytes = v6Bytes(bare);
    return bytes ? v6Kind(bytes) : "reserved";
  }
  return "reserved";
}
