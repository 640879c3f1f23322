import { DEFAULT_WEBHOOK_URL_POLICY, type WebhookUrlPolicy, WebhookUrlRefused } from "@claude-pool/api";
import {
  type ClaimedDelivery,
  claimDueDeliveries,
  type Executor,
  recordDeliveryAttempt,
} from "@claude-pool/db";
import type { WebhookOutcome } from "../metrics/metrics.js";
import { checkedPost, type PostFn } from "./send.js";
import { retryDelayMs, type WebhookSettings } from "./settings.js";
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signBody } from "./signature.js";

export interface WebhookWorkerOptions {
  db: Executor;
  engineId: string;
  settings: WebhookSettings;
  /** How a delivery is sent (default: `checkedPost`, which refuses private addresses per `settings`). */
  post?: PostFn;
  /** Whether deliveries may go to loopback, link-local and private addresses (default: no). */
  urlPolicy?: WebhookUrlPolicy;
  /** Each attempt's outcome (metrics). */
  onAttempt?: (event: string, outcome: WebhookOutcome) => void;
  log?: (level: "info" | "warn", message: string, data: Record<string, unknown>) => void;
}

export interface WebhookWorker {
  /** Look for due deliveries now (after queueing one) rather than at the next poll. */
  kick(): void;
  /** Stops claiming; resolves when the sends in flight have been recorded. */
  stop(): Promise<void>;
}

/** The body a receiver gets: the same bytes the signature covers. */
export function deliveryBody(d: Pick<ClaimedDelivery, "id" | "event" | "payload" | "attempts">): string {
  const { occurred_at, ...data } = d.payload;
  return JSON.stringify({ id: d.id, event: d.event, occurred_at, attempt: d.attempts + 1, data });
}

/**
 * Sends due webhook deliveries: claims them from the database (SKIP LOCKED, under a lease, so
 * any engine may send any delivery and a dead engine's claims come back), POSTs each signed
 * body, and records the outcome: delivered on a 2xx; otherwise due again after an exponential
 * backoff, until `maxAttempts` is reached and the delivery is failed for good.
 */
export function startWebhookWorker(options: WebhookWorkerOptions): WebhookWorker {
  const { db, engineId, settings } = options;
  const send = options.post ?? checkedPost(options.urlPolicy ?? DEFAULT_WEBHOOK_URL_POLICY);
  const batch = 20;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let again = false;

  async function attempt(d: ClaimedDelivery): Promise<void> {
    const body = deliveryBody(d);
    let responseCode: number | null = null;
    let error: string | null = null;
    let refused = false;
    try {
      const res = await send({
        url: d.url,
        headers: {
          "content-type": "application/json",
          "user-agent": "claude-pool-webhooks/0.1",
          [SIGNATURE_HEADER]: signBody(d.secret, body),
          [EVENT_HEADER]: d.event,
          [DELIVERY_HEADER]: d.id,
        },
        body,
        timeoutMs: settings.timeoutMs,
      });
      responseCode = res.status;
      if (res.status < 200 || res.status > 299) error = `the receiver answered HTTP ${res.status}`;
    } catch (e) {
      error = describeSendError(e, settings.timeoutMs);
      // A private address is refused by rule, not by chance: trying again would not help.
      refused = e instanceof WebhookUrlRefused;
    }
    const delivered = error === null;
    const attemptsNow = d.attempts + 1;
    const giveUp = !delivered && (refused || attemptsNow >= d.maxAttempts);
    const retryInMs = delivered || giveUp ? null : retryDelayMs(attemptsNow, settings);
    const recorded = await recordDeliveryAttempt(db, {
      id: d.id,
      engineId,
      delivered,
      responseCode,
      error,
      retryInMs,
    }).catch(() => false);
    if (!recorded) return; // the lease lapsed and another engine owns it now
    const outcome: WebhookOutcome = delivered ? "delivered" : giveUp ? "gave_up" : "retry";
    options.onAttempt?.(d.event, outcome);
    options.log?.(delivered ? "info" : "warn", `webhook ${outcome}`, {
      deliveryId: d.id,
      webhookId: d.endpointId,
      event: d.event,
      attempt: attemptsNow,
      responseCode,
      ...(error ? { error } : {}),
      ...(retryInMs !== null ? { retryInMs } : {}),
    });
  }

  async function pass(): Promise<void> {
    do {
      again = false;
      const claimed = await claimDueDeliveries(db, {
        engineId,
        leaseMs: settings.leaseMs,
        limit: batch,
      }).catch(() => [] as ClaimedDelivery[]);
      await Promise.all(claimed.map(attempt));
      if (claimed.length === batch) again = true;
    } while (again && !stopped);
  }

  function run(): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    if (timer) clearTimeout(timer);
    running = pass().finally(() => {
      running = null;
      if (!stopped) {
        timer = setTimeout(run, settings.pollMs);
        timer.unref();
      }
    });
  }

  run();
  return {
    kick: run,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}

function describeSendError(error: unknown, timeoutMs: number): string {
  // The address check's own message says which address and how to allow it.
  if (error instanceof WebhookUrlRefused) return error.message;
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return `the receiver did not answer within ${timeoutMs} ms`;
  }
  const own = error instanceof Error ? (error as NodeJS.ErrnoException).code : undefined;
  const cause =
    error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  const code = own ?? cause?.code;
  if (code) return `could not reach the receiver: ${code}`;
  return `could not reach the receiver: ${error instanceof Error ? error.message : String(error)}`;
}
