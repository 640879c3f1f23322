import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { isIP, type LookupFunction } from "node:net";
import { type PrivateKind, privateKindOf } from "./address-ranges.js";

export { type PrivateKind, privateKindOf } from "./address-ranges.js";

/** The engine flag and environment variable that let webhooks reach private addresses. */
export const ALLOW_PRIVATE_WEBHOOKS_FLAG = "--allow-private-webhooks";
export const ALLOW_PRIVATE_WEBHOOKS_ENV = "CLAUDE_POOL_ALLOW_PRIVATE_WEBHOOKS";

/** Whether webhooks may reach loopback, link-local and private addresses (default: no). */
export interface WebhookUrlPolicy {
  allowPrivate: boolean;
}

export const DEFAULT_WEBHOOK_URL_POLICY: WebhookUrlPolicy = { allowPrivate: false };

/** A webhook URL (or the address its host resolved to) that the engine will not send to. */
export class WebhookUrlRefused extends Error {
  readonly code = "WEBHOOK_URL_REFUSED";
  constructor(
    readonly url: string,
    readonly address: string,
    readonly kind: PrivateKind,
  ) {
    const host = hostOf(url);
    const via = host === address ? "" : ` resolves to ${address}, which`;
    super(
      `url: "${url}"${via} is a ${kind} address; webhooks to loopback, link-local and private ` +
        `addresses are refused unless the engine runs with ${ALLOW_PRIVATE_WEBHOOKS_FLAG} ` +
        `(or ${ALLOW_PRIVATE_WEBHOOKS_ENV}=1)`,
    );
    this.name = "WebhookUrlRefused";
  }
}

/** The host of a URL as an address or name: brackets off an IPv6 literal. */
function hostOf(url: string): string {
  try {
    return new URL(url).hostname.replace(/^\[|\]$/g, "");
  } catch {
    return url;
  }
}

export type ResolveAll = (host: string) => Promise<LookupAddress[]>;

const systemResolve: ResolveAll = (host) =>
  new Promise((resolve, reject) => {
    dnsLookup(host, { all: true, verbatim: true }, (error, addresses) =>
      error ? reject(error) : resolve(addresses),
    );
  });

/**
 * Checks a webhook URL when it is created: an IP literal host is judged as it is; a name is
 * resolved and refused if any address it resolves to is private (one private answer is enough
 * for a rebinding attacker). A name that does not resolve now is accepted: it cannot reach
 * anything yet, and every delivery checks again (see `checkedLookup`).
 */
export async function checkWebhookUrl(
  url: string,
  policy: WebhookUrlPolicy,
  resolveAll: ResolveAll = systemResolve,
): Promise<void> {
  if (policy.allowPrivate) return;
  const host = hostOf(url);
  if (isIP(host)) {
    const kind = privateKindOf(host);
    if (kind) throw new WebhookUrlRefused(url, host, kind);
    return;
  }
  let addresses: LookupAddress[];
  try {
    addresses = await withTimeout(resolveAll(host), 5_000);
  } catch {
    return;
  }
  for (const { address } of addresses) {
    const kind = privateKindOf(address);
    if (kind) throw new WebhookUrlRefused(url, address, kind);
  }
}

/**
 * A `lookup` for node:http(s) requests that resolves the host, refuses the connection when an
 * address is private, and hands the socket only the addresses it checked: the connection goes to
 * the very address that was judged, so a DNS answer that changes between the check and the
 * connect (rebinding) cannot slip a private address in. IP-literal hosts never reach a lookup:
 * check those with `checkWebhookUrl` first.
 */
export function checkedLookup(url: string, policy: WebhookUrlPolicy, resolveAll: ResolveAll = systemResolve) {
  const lookup: LookupFunction = (hostname, options, callback) => {
    resolveAll(hostname).then(
      (all) => {
        const family = options.family === 4 || options.family === 6 ? options.family : 0;
        const usable = all.filter((a) => family === 0 || a.family === family);
        if (!policy.allowPrivate) {
          for (const { address } of usable) {
            const kind = privateKindOf(address);
            if (kind) {
              callback(new WebhookUrlRefused(url, address, kind), "", 0);
              return;
            }
          }
        }
        const first = usable[0];
        if (!first) {
          const error = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
          callback(error, "", 0);
          return;
        }
        if (options.all) (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, usable);
        else callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, "", 0),
    );
  };
  return lookup;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("DNS lookup timed out")), ms);
    timer.unref();
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
