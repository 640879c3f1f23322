import type { WebhookUrlPolicy } from "@claude-pool/api";
import { type Database, listServedPools } from "@claude-pool/db";
import type { Logger } from "pino";
import { followHostPools, type ServedPools } from "../metrics/follow-pools.js";
import type { EngineMetrics } from "../metrics/metrics.js";
import { queueWebhooksFor } from "./events.js";
import { type WebhookSettings, webhookSettingsFromEnv } from "./settings.js";
import { startWebhookWorker } from "./worker.js";

export {
  DEFAULT_WEBHOOK_SETTINGS,
  retryDelayMs,
  type WebhookSettings,
  webhookSettingsFromEnv,
} from "./settings.js";
export { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signBody, verifySignature } from "./signature.js";

/**
 * Webhooks for a running engine: every pool it serves queues its task, chain and budget events;
 * a worker sends due deliveries (its own and any other engine's) from the database.
 */
export function startWebhooks(options: {
  engine: { engineId: string; host: ServedPools; database: Database };
  settings?: WebhookSettings;
  metrics?: EngineMetrics;
  logger?: Logger;
  /** Whether deliveries may reach loopback, link-local and private addresses (default: no). */
  urlPolicy?: WebhookUrlPolicy;
}): { stop(): Promise<void> } {
  const { engine, logger } = options;
  const settings = options.settings ?? webhookSettingsFromEnv(process.env);
  const db = engine.database.db;
  const worker = startWebhookWorker({
    db,
    engineId: engine.engineId,
    settings,
    ...(options.urlPolicy ? { urlPolicy: options.urlPolicy } : {}),
    ...(options.metrics
      ? { onAttempt: (event, outcome) => options.metrics?.webhookDelivery(event, outcome) }
      : {}),
    ...(logger ? { log: (level, message, data) => logger[level](data, message) } : {}),
  });
  const follower = followHostPools(
    engine.host,
    async () => (await listServedPools(db)).map((row) => row.id),
    (pool) =>
      queueWebhooksFor(pool, {
        db,
        maxAttempts: settings.maxAttempts,
        onQueued: () => worker.kick(),
        onError: (error) => logger?.warn({ error: String(error) }, "queueing a webhook failed"),
      }),
  );
  return {
    async stop() {
      follower.stop();
      await worker.stop();
    },
  };
}
