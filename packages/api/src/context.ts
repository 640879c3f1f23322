import type { IncomingHttpHeaders } from "node:http";
import type { Database } from "@claude-pool/db";
import { resolveSessionCaller, resolveTokenCaller } from "./auth/callers.js";
import type { PoolAuth } from "./auth/create-auth.js";
import type { Role } from "./auth/roles.js";
import type { PoolHost } from "./host-port.js";
import type { WebhookUrlPolicy } from "./webhooks/url-policy.js";

export type { Role } from "./auth/roles.js";
export type { PoolHost } from "./host-port.js";

/**
 * Who is calling. A browser signs in and carries a session cookie (`session`); a service sends an
 * API token, which is confined to one team and one role (`token`).
 */
export type Caller =
  | { kind: "session"; userId: string; email: string; name: string }
  | { kind: "token"; tokenId: string; userId: string; teamId: string; role: Role };

/**
 * Everything a procedure needs, with no HTTP in it: tests build one directly and use
 * `appRouter.createCaller(ctx)`.
 */
export interface InnerContext {
  database: Database;
  auth: PoolAuth;
  host: PoolHost;
  caller: Caller | null;
  /** Which webhook URLs may be registered; unset: none to loopback, link-local or private addresses. */
  webhookUrlPolicy?: WebhookUrlPolicy;
}

export function createInnerContext(parts: InnerContext): InnerContext {
  return {
    database: parts.database,
    auth: parts.auth,
    host: parts.host,
    caller: parts.caller,
    ...(parts.webhookUrlPolicy ? { webhookUrlPolicy: parts.webhookUrlPolicy } : {}),
  };
}

/**
 * The caller of a request, from its headers: a better-auth session cookie first (only when the
 * request's Origin, if any, is the engine's own or a trusted one, so another site cannot ride a
 * signed-in browser's cookie), else `Authorization: Bearer <token>` (or `x-api-key: <token>`)
 * verified by the api-key plugin, else null (anonymous). A bad or revoked token is anonymous too:
 * procedures then answer UNAUTHORIZED.
 */
export async function resolveCaller(
  inner: Omit<InnerContext, "caller">,
  headers: Headers,
): Promise<Caller | null> {
  if (headers.has("cookie") && originTrusted(inner.auth, headers.get("origin"))) {
    const session = await resolveSessionCaller(inner.auth, headers);
    if (session) return session;
  }
  const token = bearerToken(headers);
  return token === null ? null : resolveTokenCaller(inner, token);
}

/** No Origin (a same-origin GET, or not a browser), the engine's own, or a trusted origin. */
export function originTrusted(auth: PoolAuth, origin: string | null): boolean {
  if (origin === null) return true;
  const listed = Array.isArray(auth.options.trustedOrigins) ? [...auth.options.trustedOrigins] : [];
  if (typeof auth.options.baseURL === "string") listed.push(auth.options.baseURL);
  // Compare origins, so `http://host:3000/` in the configuration matches the header `http://host:3000`.
  return listed.some((entry) => originOf(entry) === origin);
}

function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/** The token a request carries, or null. */
export function bearerToken(headers: Headers): string | null {
  const authorization = headers.get("authorization");
  if (authorization !== null) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (match?.[1]) return match[1];
  }
  const apiKey = headers.get("x-api-key");
  return apiKey !== null && apiKey.trim() !== "" ? apiKey.trim() : null;
}

/** For tRPC's node:http adapter: `createContext: ({ req, res }) => createContextFromRequest({ req, res, inner })`. */
export async function createContextFromRequest(opts: {
  req: { headers: IncomingHttpHeaders };
  res?: unknown;
  inner: Omit<InnerContext, "caller">;
}): Promise<InnerContext> {
  const caller = await resolveCaller(opts.inner, nodeHeaders(opts.req.headers));
  return createInnerContext({ ...opts.inner, caller });
}

function nodeHeaders(headers: IncomingHttpHeaders): Headers {
  const out = new Headers();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) out.append(name, v);
    else out.set(name, value);
  }
  return out;
}

/** The context procedures see, typed for the routers. */
export type Context = InnerContext;
