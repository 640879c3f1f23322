import { z } from "zod";

/** How deliveries are retried; every value can be set from the environment (tests shorten them). */
export interface WebhookSettings {
  /** Attempts before a delivery is given up as failed (first send included). */
  maxAttempts: number;
  /** Wait after the first failure; each later failure waits `factor` times longer, up to `maxDelayMs`. */
  baseDelayMs: number;
  factor: number;
  maxDelayMs: number;
  /** A receiver that has not answered in this long counts as failed. */
  timeoutMs: number;
  /** How often an engine looks for due deliveries (besides right after it queued one). */
  pollMs: number;
  /** How long a claimed delivery stays this engine's; after that any engine may send it. */
  leaseMs: number;
}

export const DEFAULT_WEBHOOK_SETTINGS: WebhookSettings = {
  maxAttempts: 6,
  baseDelayMs: 10_000,
  factor: 3,
  maxDelayMs: 3_600_000,
  timeoutMs: 10_000,
  pollMs: 1_000,
  leaseMs: 60_000,
};

const ENV: Record<keyof WebhookSettings, string> = {
  maxAttempts: "CLAUDE_POOL_WEBHOOK_MAX_ATTEMPTS",
  baseDelayMs: "CLAUDE_POOL_WEBHOOK_BASE_DELAY_MS",
  factor: "CLAUDE_POOL_WEBHOOK_BACKOFF_FACTOR",
  maxDelayMs: "CLAUDE_POOL_WEBHOOK_MAX_DELAY_MS",
  timeoutMs: "CLAUDE_POOL_WEBHOOK_TIMEOUT_MS",
  pollMs: "CLAUDE_POOL_WEBHOOK_POLL_MS",
  leaseMs: "CLAUDE_POOL_WEBHOOK_LEASE_MS",
};

const positive = z
  .string()
  .regex(/^\d+(\.\d+)?$/)
  .transform(Number)
  .pipe(z.number().positive());

/** The settings from the environment; a bad value is an error naming the variable and the value. */
export function webhookSettingsFromEnv(env: NodeJS.ProcessEnv): WebhookSettings {
  const settings = { ...DEFAULT_WEBHOOK_SETTINGS };
  for (const key of Object.keys(ENV) as Array<keyof WebhookSettings>) {
    const name = ENV[key];
    const raw = env[name];
    if (raw === undefined || raw === "") continue;
    const parsed = positive.safeParse(raw);
    if (!parsed.success) throw new Error(`${name}: expected a positive number, got "${raw}"`);
    settings[key] = key === "factor" ? parsed.data : Math.round(parsed.data);
  }
  if (settings.maxAttempts < 1) throw new Error(`${ENV.maxAttempts}: expected at least 1`);
  return settings;
}

/** The wait before the attempt after `attemptsSoFar` failed ones: base, base×factor, … capped. */
export function retryDelayMs(
  attemptsSoFar: number,
  s: Pick<WebhookSettings, "baseDelayMs" | "factor" | "maxDelayMs">,
): number {
  return Math.min(s.maxDelayMs, Math.round(s.baseDelayMs * s.factor ** Math.max(0, attemptsSoFar - 1)));
}
