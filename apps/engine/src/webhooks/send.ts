import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { checkedLookup, checkWebhookUrl, type ResolveAll, type WebhookUrlPolicy } from "@claude-pool/api";

export interface PostRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

/** POSTs a body and resolves with the receiver's status; rejects when it cannot be sent. */
export type PostFn = (request: PostRequest) => Promise<{ status: number }>;

export class SendTimeout extends Error {
  override readonly name = "TimeoutError";
}

/**
 * The webhook sender: node:http(s) rather than fetch, because it takes a `lookup` and so can
 * connect to exactly the address it checked (SSRF and DNS rebinding: see `checkedLookup`). An
 * IP-literal host is checked before connecting. Redirects are not followed (a 3xx is a failure:
 * its Location could point anywhere).
 */
export function checkedPost(policy: WebhookUrlPolicy, resolveAll?: ResolveAll): PostFn {
  return async ({ url, headers, body, timeoutMs }) => {
    await checkWebhookUrl(url, policy, async () => []);
    const target = new URL(url);
    const request = target.protocol === "https:" ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = request(
        target,
        {
          method: "POST",
          headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
          lookup: checkedLookup(url, policy, resolveAll),
          // A fresh connection per delivery: a pooled socket would skip the address check.
          agent: false,
        },
        (res) => {
          res.resume();
          resolve({ status: res.statusCode ?? 0 });
        },
      );
      req.setTimeout(timeoutMs, () => req.destroy(new SendTimeout(`no answer within ${timeoutMs} ms`)));
      req.once("error", reject);
      req.end(body);
    });
  };
}
