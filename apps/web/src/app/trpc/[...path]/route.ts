import { proxyToEngine } from "@/lib/proxy";

export const dynamic = "force-dynamic";

export const GET = proxyToEngine;
export const POST = proxyToEngine;
export const OPTIONS = proxyToEngine;
