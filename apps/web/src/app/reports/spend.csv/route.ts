import { proxyToEngine } from "@/lib/proxy";

export const dynamic = "force-dynamic";

/** The engine's CSV export, under this origin so the session cookie goes with the download. */
export const GET = proxyToEngine;
