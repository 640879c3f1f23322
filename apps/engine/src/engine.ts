import { createServer, type RequestListener, type Server } from "node:http";
import {
  appRouter,
  createContextFromRequest,
  createPoolAuth,
  createPoolHost,
  type PoolAuth,
  type PoolHost,
} from "@claude-pool/api";
import {
  createDb,
  type Database,
  DatabaseUnreachableError,
  DataDirInUseError,
  SchemaTooNewError,
} from "@claude-pool/db";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { toNodeHandler } from "better-auth/node";
import { StartupError } from "./cli/usage-error.js";
import { type ClaudeBinary, claudeBinaryProblem } from "./config/claude-bin.js";
import { loadAuthSecret, loadEngineId } from "./config/engine-files.js";
import type { ServeConfig } from "./config/serve-config.js";
import { listen } from "./server/listen.js";
import {
  createRequestListener,
  type MetricsHook,
  type RouteParts,
  sendJson,
} from "./server/request-listener.js";
import { serveSpendCsv } from "./server/spend-csv.js";

export interface EngineExtensions {
  metrics?: MetricsHook;
  log?: (msg: string, data?: object) => void;
  /** Called once per answered request (A4's request log and HTTP metrics). */
  onRequest?: RouteParts["onRequest"];
}

export interface RunningEngine {
  url: string;
  port: number;
  engineId: string;
  database: Database;
  auth: PoolAuth;
  host: PoolHost;
  server: Server;
  /** Stop claiming, let running tasks finish within `graceMs`, close the server and the database. */
  stop(opts?: { graceMs?: number }): Promise<void>;
}

/** Opens the configured database, turning the db package's start-up errors into one-line StartupErrors. */
export async function openDatabase(config: Pick<ServeConfig, "databaseUrl" | "dataDir">): Promise<Database> {
  try {
    return await createDb({
      ...(config.databaseUrl ? { url: config.databaseUrl } : {}),
      dataDir: config.dataDir,
      env: {},
    });
  } catch (error) {
    if (
      error instanceof DatabaseUnreachableError ||
      error instanceof SchemaTooNewError ||
      error instanceof DataDirInUseError
    ) {
      throw new StartupError(error.message);
    }
    throw new StartupError(
      `cannot open the database: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/**
 * Builds and starts one engine: database, auth, pool host, and the node:http server with tRPC at
 * /trpc, better-auth at /api/auth/*, /healthz, /metrics and /reports/spend.csv. The port is bound
 * before the pools start, so an engine that cannot serve never claims a task.
 */
export async function startEngine(
  config: ServeConfig,
  claude: ClaudeBinary,
  extensions: EngineExtensions = {},
): Promise<RunningEngine> {
  const engineId = loadEngineId(config.dataDir, config.engineId);
  const secret = loadAuthSecret(config.dataDir, process.env);
  // Bound first (answering 503 until ready): a port in use fails at once, before the database is
  // opened or any pool claims a task, and better-auth learns the real port when --port 0 asked
  // for a free one.
  let ready: RequestListener = (_req, res) => sendJson(res, 503, { ok: false, problems: ["starting"] });
  const server = createServer({ keepAliveTimeout: 5000 }, (req, res) => ready(req, res));
  const port = await listen(server, config.port, config.host);
  let database: Database | undefined;
  try {
    database = await openDatabase(config);
    const openDb = database;
    const publicUrl = config.publicUrl ?? `http://${hostForUrl(config.host)}:${port}`;
    const auth = createPoolAuth(database, {
      baseURL: publicUrl,
      secret,
      trustedOrigins: config.webOrigins,
      tokenRateLimit: { timeWindow: 60_000, maxRequests: config.tokenRateLimit },
    });
    const host = await createPoolHost({
      database,
      engineId,
      claude: { bin: claude.path },
      dataDir: config.dataDir,
      leaseMs: config.leaseMs,
      ...(extensions.log ? { log: extensions.log } : {}),
    });
    const inner = {
      database,
      auth,
      host,
      webhookUrlPolicy: { allowPrivate: config.allowPrivateWebhooks },
    };
    let started = false;
    const trpc = createHTTPHandler({
      router: appRouter,
      basePath: "/trpc/",
      createContext: ({ req, res }) => createContextFromRequest({ req, res, inner }),
    });
    ready = createRequestListener({
      trpc,
      auth: toNodeHandler(auth),
      webOrigins: config.webOrigins,
      metrics: extensions.metrics,
      onRequest: extensions.onRequest,
      stall: {
        ms: config.sseStallMs,
        onStall: (req) =>
          extensions.log?.(
            `closed a stalled response: ${req.url?.split("?")[0] ?? "?"} did not drain for ${config.sseStallMs} ms`,
            { path: req.url?.split("?")[0], stallMs: config.sseStallMs },
          ),
      },
      spendCsv: (req, res, url) => serveSpendCsv(inner, req, res, url),
      health: async () => {
        if (!started) return { ok: false, engineId, problems: ["starting"] };
        const health = await host.health().catch((error: unknown) => ({
          ok: false,
          database: false,
          pools: 0,
          problems: [error instanceof Error ? error.message : String(error)],
        }));
        const missing = claudeBinaryProblem(claude.path);
        if (missing) return { ...health, ok: false, problems: [...health.problems, missing], engineId };
        return { ...health, engineId };
      },
    });
    await host.start();
    started = true;
    const url = publicUrl;
    const running = server;
    let stopping: Promise<void> | undefined;
    return {
      url,
      port,
      engineId,
      database,
      auth,
      host,
      server: running,
      stop(opts) {
        stopping ??= (async () => {
          started = false;
          // No new connections; requests on open ones are still answered while tasks finish.
          running.close();
          await host.stop({ graceMs: opts?.graceMs ?? config.graceMs });
          // Subscriptions (SSE) and idle keep-alive sockets would hold the server open.
          running.closeAllConnections();
          await openDb.close();
        })();
        return stopping;
      },
    };
  } catch (error) {
    server.close();
    server.closeAllConnections();
    await database?.close().catch(() => {});
    throw error;
  }
}

function hostForUrl(host: string): string {
  if (host === "0.0.0.0" || host === "::") return "127.0.0.1";
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}
