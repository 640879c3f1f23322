import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { applyCors } from "./cors.js";
import { guardStalls } from "./stall-guard.js";

/** What `/metrics` serves; A4's prom-client registry provides one (src/metrics). */
export interface MetricsHook {
  render(): Promise<{ contentType: string; body: string }>;
}

export interface HealthReport {
  ok: boolean;
  [key: string]: unknown;
}

export interface RouteParts {
  trpc: RequestListener;
  auth: (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;
  health: () => Promise<HealthReport>;
  spendCsv: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;
  metrics?: MetricsHook | undefined;
  webOrigins: string[];
  /**
   * Close a response whose socket has not drained for this many ms (a stuck SSE reader); the
   * callback hears of each (stall-guard.ts). Unset: no cut-off.
   */
  stall?: { ms: number; onStall: (req: IncomingMessage) => void } | undefined;
  /** Called once per finished request (A4's request log). */
  onRequest?: ((req: IncomingMessage, res: ServerResponse, ms: number) => void) | undefined;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

/**
 * The engine's one node:http listener. better-auth and tRPC read the raw request body themselves,
 * so nothing here parses a body. Any error escaping a handler becomes a 500 with a plain message and
 * no stack (handlers map caller mistakes to 4xx themselves).
 */
export function createRequestListener(parts: RouteParts): RequestListener {
  const origins = new Set(parts.webOrigins);
  return (req, res) => {
    const started = performance.now();
    const stall = parts.stall;
    if (stall) guardStalls(res, stall.ms, () => stall.onStall(req));
    if (parts.onRequest) {
      const log = parts.onRequest;
      res.once("finish", () => log(req, res, performance.now() - started));
    }
    void route(req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, { error: "internal error" });
      else res.destroy();
    });
  };

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (applyCors(req, res, origins)) return;
    const url = new URL(req.url ?? "/", "http://engine.invalid");
    const path = url.pathname;
    if (path === "/trpc" || path.startsWith("/trpc/")) return parts.trpc(req, res);
    if (path === "/api/auth" || path.startsWith("/api/auth/")) return parts.auth(req, res);
    if (path === "/healthz") {
      if (req.method !== "GET" && req.method !== "HEAD") return sendJson(res, 405, { error: "use GET" });
      const report = await parts.health();
      return sendJson(res, report.ok ? 200 : 503, report);
    }
    if (path === "/metrics") {
      if (!parts.metrics) return sendJson(res, 404, { error: "metrics are not enabled in this engine" });
      const { contentType, body } = await parts.metrics.render();
      res.writeHead(200, { "content-type": contentType });
      res.end(body);
      return;
    }
    if (path === "/reports/spend.csv") {
      if (req.method !== "GET") return sendJson(res, 405, { error: "use GET" });
      return parts.spendCsv(req, res, url);
    }
    return sendJson(res, 404, { error: `no route ${path}` });
  }
}
