import type { IncomingMessage, ServerResponse } from "node:http";
import type { Pool } from "@claude-pool/core";
import { type Database, listServedPools } from "@claude-pool/db";
import type { DestinationStream, Logger } from "pino";
import { hostLog, logPoolEvents, requestLogger } from "../logging/events.js";
import { createLogger, type LogLevel, logLevelFromEnv } from "../logging/logger.js";
import { followHostPools, type ServedPools } from "./follow-pools.js";
import { createMetrics, type EngineMetrics, routeOf } from "./metrics.js";

/** Env values that are credentials: scrubbed from every log line wherever they appear. */
const SECRET_ENV = [
  "ANTHROPIC_API_KEY",
  "CLAUDE_POOL_TOKEN",
  "CLAUDE_POOL_AUTH_SECRET",
  "ANTHROPIC_AUTH_TOKEN",
];

export interface Observability {
  logger: Logger;
  metrics: EngineMetrics;
  addSecret(value: string): void;
  /** What `startEngine` takes: the `/metrics` hook, the host's log and the per-request hook. */
  extensions: {
    metrics: { render(): Promise<{ contentType: string; body: string }> };
    log: (msg: string, data?: object) => void;
    onRequest: (req: IncomingMessage, res: ServerResponse, ms: number) => void;
  };
  /** Once the engine runs: follow every pool it serves (metrics and task-transition logs). */
  attach(engine: { engineId: string; host: ServedPools; database: Database }): void;
  stop(): void;
}

/** Logs and metrics for `claude-pool serve`, wired in the serve command (A2's `extensions()`). */
export function createObservability(
  options: { env?: NodeJS.ProcessEnv; level?: LogLevel; destination?: DestinationStream } = {},
): Observability {
  const env = options.env ?? process.env;
  const { logger, addSecret } = createLogger({
    level: options.level ?? logLevelFromEnv(env),
    ...(options.destination ? { destination: options.destination } : {}),
  });
  for (const name of SECRET_ENV) {
    const value = env[name];
    if (value) addSecret(value);
  }
  const metrics = createMetrics();
  const logRequest = requestLogger(logger);
  let follower: ReturnType<typeof followHostPools> | null = null;

  return {
    logger,
    metrics,
    addSecret,
    extensions: {
      metrics: {
        async render() {
          // A pool started since the last pass is counted from this scrape on.
          await follower?.refresh();
          return metrics.render();
        },
      },
      log: hostLog(logger),
      onRequest(req, res, ms) {
        logRequest(req, res, ms);
        const path = (req.url ?? "/").split("?")[0] ?? "/";
        metrics.httpRequest(req.method ?? "GET", routeOf(path), res.statusCode, ms / 1000);
      },
    },
    attach(engine) {
      metrics.registry.setDefaultLabels({ engine: engine.engineId });
      follower = followHostPools(
        engine.host,
        async () => (await listServedPools(engine.database.db)).map((row) => row.id),
        (pool: Pool) => {
          const stopMetrics = metrics.observePool(pool);
          const stopLogs = logPoolEvents(logger, pool);
          return () => {
            stopMetrics();
            stopLogs();
          };
        },
      );
    },
    stop() {
      follower?.stop();
      logger.flush();
    },
  };
}
