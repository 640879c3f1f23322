import { engineUrl } from "@/lib/proxy";

export const dynamic = "force-dynamic";

/**
 * Whether the engine behind this dashboard answers its /healthz, so an error page can say why
 * nothing loads (a tRPC call through the proxy only sees a failed response).
 */
export async function GET(): Promise<Response> {
  const url = engineUrl();
  try {
    const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(5000) });
    const body = (await res.json().catch(() => null)) as { ok?: boolean; problems?: string[] } | null;
    return Response.json({
      reachable: true,
      ok: res.ok && body?.ok === true,
      message: res.ok
        ? null
        : `The engine at ${url} answered ${res.status}: ${(body?.problems ?? []).join("; ")}`,
    });
  } catch {
    return Response.json({ reachable: false, ok: false, message: `The engine at ${url} is not reachable.` });
  }
}
