import { createHmac, timingSafeEqual } from "node:crypto";

/** The header carrying `sha256=<hex>`: HMAC-SHA256 of the raw request body under the endpoint's secret. */
export const SIGNATURE_HEADER = "X-Claude-Pool-Signature";
export const EVENT_HEADER = "X-Claude-Pool-Event";
export const DELIVERY_HEADER = "X-Claude-Pool-Delivery";

export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body, "utf8").digest("hex")}`;
}

/**
 * What a receiver does: recompute the signature over the exact bytes received and compare in
 * constant time. Exported for our tests and as the reference for the README.
 */
export function verifySignature(secret: string, body: string, header: string | undefined): boolean {
  if (!header) return false;
  const expected = Buffer.from(signBody(secret, body));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
