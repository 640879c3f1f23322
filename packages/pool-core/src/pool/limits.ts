import type { PoolConfig } from "../domain/options.js";
import type { TaskRecord } from "../store/port.js";
import type { Verdict } from "./outcome.js";

const MAX_BACKOFF_MS = 60_000;

/**
 * When the task's time is up: `timeoutMs` after it first started (its runs, rate-limit backoffs
 * and, unless `timeoutIncludesQuotaWaits` is false, its usage-limit parks all count). Null: no limit.
 */
export function taskDeadline(task: TaskRecord, config: PoolConfig, now: number): number | null {
  if (task.timeoutMs === null) return null;
  const from = config.timeoutIncludesQuotaWaits ? (task.startedAt?.getTime() ?? now) : now;
  return Math.min(from, now) + task.timeoutMs;
}

type RateLimited = Extract<Verdict, { kind: "rate_limited" }>;
type Quota = Extract<Verdict, { kind: "quota" }>;
type Ended = Extract<Verdict, { kind: "ended" }>;

/**
 * After a plain 429: retry after a backoff (the CLI's retry-after when it reported one and it is
 * longer, else `rateLimitBackoffMs` doubling per retry, at most 60 s), at most
 * `maxRateLimitRetries` times; a backoff past the task's deadline ends it timed out. The final
 * error carries the API's message and status.
 */
export function afterRateLimit(
  verdict: RateLimited,
  retriesSoFar: number,
  config: PoolConfig,
  task: TaskRecord,
  deadline: number | null,
  now: number,
): { kind: "retry"; delayMs: number } | Ended {
  const details = { apiErrorStatus: verdict.apiErrorStatus };
  if (retriesSoFar >= config.maxRateLimitRetries) {
    return {
      kind: "ended",
      status: "failed",
      error: {
        code: "TASK_FAILED",
        message: `rate limited ${retriesSoFar + 1} times (maxRateLimitRetries ${config.maxRateLimitRetries}): ${verdict.message}`,
        reason: "rate_limit",
        details,
      },
    };
  }
  const exponential = Math.min(MAX_BACKOFF_MS, config.rateLimitBackoffMs * 2 ** retriesSoFar);
  const delayMs = Math.max(exponential, verdict.retryAfterMs ?? 0);
  if (deadline !== null && now + delayMs >= deadline) {
    return {
      kind: "ended",
      status: "timed_out",
      error: {
        code: "TIMEOUT",
        message: `rate limited, and the next try (in ${delayMs} ms) would pass its ${task.timeoutMs} ms: ${verdict.message}`,
        reason: "rate_limit",
        details,
      },
    };
  }
  return { kind: "retry", delayMs };
}

/**
 * After a usage limit: park until it resets (`quotaRetryMs` when the CLI gave no time), unless the
 * task has parked `maxQuotaWaits` times already (that was its last try) or, when waits count
 * toward its timeout, the reset comes after its deadline.
 */
export function afterUsageLimit(
  verdict: Quota,
  config: PoolConfig,
  task: TaskRecord,
  deadline: number | null,
  now: number,
): { kind: "park"; runAfter: Date } | Ended {
  const details = { apiErrorStatus: verdict.apiErrorStatus };
  // Every earlier attempt not caused by an engine restart was a park.
  const parks = task.attempt - 1 - task.recoveries;
  if (parks >= config.maxQuotaWaits) {
    return {
      kind: "ended",
      status: "failed",
      error: {
        code: "QUOTA_EXHAUSTED",
        message: `usage limits kept the task waiting too often (${parks} waits, maxQuotaWaits ${config.maxQuotaWaits}): ${verdict.message}`,
        reason: "usage_limit",
        details,
      },
    };
  }
  const runAfter = verdict.resetsAt ?? new Date(now + config.quotaRetryMs);
  if (deadline !== null && config.timeoutIncludesQuotaWaits && runAfter.getTime() >= deadline) {
    return {
      kind: "ended",
      status: "timed_out",
      error: {
        code: "TIMEOUT",
        message: `the usage limit resets at ${runAfter.toISOString()}, after its ${task.timeoutMs} ms: ${verdict.message}`,
        reason: "usage_limit",
        details,
      },
    };
  }
  return { kind: "park", runAfter };
}
