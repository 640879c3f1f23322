/**
 * Forwards a browser request to the engine and streams the answer back unbuffered, so the
 * dashboard and the engine share one origin (first-party session cookie, no CORS) and tRPC's SSE
 * subscriptions keep streaming. The engine URL is read at request time (ENGINE_URL), not baked
 * in at build time as next.config rewrites would be.
 */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "transfer-encoding",
  "te",
  "trailer",
  "upgrade",
  "proxy-connection",
  "host",
  "content-length",
  // Node's fetch decodes bodies: pass them on decoded and let the length be recomputed.
  "content-encoding",
  "accept-encoding",
]);

export function engineUrl(): string {
  return (process.env.ENGINE_URL ?? "http://127.0.0.1:4680").replace(/\/$/, "");
}

export async function proxyToEngine(req: Request): Promise<Response> {
  const incoming = new URL(req.url);
  const target = `${engineUrl()}${incoming.pathname}${incoming.search}`;
  const headers = new Headers();
  for (const [k, v] of req.headers) if (!HOP_BY_HOP.has(k.toLowerCase())) headers.set(k, v);
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  let upstream: Response;
  try {
    upstream = await fetch(target, {
      method: req.method,
      headers,
      body: hasBody ? req.body : undefined,
      redirect: "manual",
      signal: req.signal,
      // Required by Node's fetch to stream a request body.
      ...(hasBody ? { duplex: "half" } : {}),
    } as RequestInit);
  } catch {
    return Response.json(
      { error: { message: `The engine at ${engineUrl()} is not reachable.`, code: "ENGINE_UNREACHABLE" } },
      { status: 502 },
    );
  }
  const out = new Headers();
  for (const [k, v] of upstream.headers) {
    if (HOP_BY_HOP.has(k.toLowerCase()) || k.toLowerCase() === "set-cookie") continue;
    out.set(k, v);
  }
  for (const cookie of upstream.headers.getSetCookie()) out.append("set-cookie", cookie);
  if (upstream.headers.get("content-type")?.includes("text/event-stream")) {
    out.set("cache-control", "no-cache, no-transform");
    out.set("x-accel-buffering", "no");
  }
  return new Response(upstream.body, {
    status: upstream.status,
    statusText: upstream.statusText,
    headers: out,
  });
}
