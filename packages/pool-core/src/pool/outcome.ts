import { type Micros, usdToMicros } from "../domain/money.js";
import type { TaskErrorInfo, TaskStatus, TokenUsage } from "../domain/types.js";
import type { ModelUsageEntry, ResultMessage } from "../driver/messages.js";
import type { RunOutcome } from "../driver/run.js";

export interface RunSpend {
  spendMicros: Micros;
  tokens: TokenUsage;
  model: string | null;
  turns: number;
}

/**
 * What this one process spent. `total_cost_usd` is cumulative for the session under `--resume`,
 * so it is only used as a difference against the session's previous total; the CLI's
 * `model_usage_since_last_result` (this process only) is preferred when present.
 */
export function spendOfRun(outcome: RunOutcome, previousSessionTotal: Micros): RunSpend {
  const r = outcome.result;
  if (!r) {
    return {
      spendMicros: outcome.streamedCostMicros,
      tokens: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
      model: outcome.model,
      turns: 0,
    };
  }
  const since = r.model_usage_since_last_result;
  const perModel = since ? Object.values(since) : [];
  const spendMicros =
    perModel.length > 0
      ? usdToMicros(costOfModelUsage(perModel))
      : Math.max(0, usdToMicros(r.total_cost_usd) - previousSessionTotal);
  const tokens = perModel.length > 0 ? tokensOfModelUsage(perModel) : tokensOfUsage(r);
  return { spendMicros, tokens, model: mainModel(r) ?? outcome.model, turns: r.num_turns };
}

// Plain loops, summed left to right from 0 as a reduce would: this runs for every task.
function costOfModelUsage(entries: ModelUsageEntry[]): number {
  let usd = 0;
  for (const e of entries) usd += e.costUSD;
  return usd;
}

function tokensOfModelUsage(entries: ModelUsageEntry[]): TokenUsage {
  let input = 0;
  let output = 0;
  let cacheRead = 0;
  let cacheWrite = 0;
  for (const e of entries) {
    input += e.inputTokens;
    output += e.outputTokens;
    cacheRead += e.cacheReadInputTokens;
    cacheWrite += e.cacheCreationInputTokens;
  }
  return { input, output, cacheRead, cacheWrite };
}

function tokensOfUsage(r: ResultMessage): TokenUsage {
  const u = r.usage;
  return {
    input: u?.input_tokens ?? 0,
    output: u?.output_tokens ?? 0,
    cacheRead: u?.cache_read_input_tokens ?? 0,
    cacheWrite: u?.cache_creation_input_tokens ?? 0,
  };
}

/** The model that cost the most in this run (the main loop's; helpers such as haiku cost less). */
function mainModel(r: ResultMessage): string | null {
  const usage = r.modelUsage ?? r.model_usage_since_last_result;
  if (!usage) return null;
  let best: string | null = null;
  let bestCost = -1;
  for (const model in usage) {
    const entry = usage[model];
    if (entry !== undefined && Object.hasOwn(usage, model) && entry.costUSD > bestCost) {
      best = model;
      bestCost = entry.costUSD;
    }
  }
  return best;
}

export type Verdict =
  | { kind: "completed"; output: string; structuredOutput?: unknown }
  /** A usage limit (the plan's quota): park until it resets. */
  | { kind: "quota"; resetsAt: Date | null; message: string; apiErrorStatus: number | null }
  /** A plain 429 with no reset time: retry after a backoff (`retryAfterMs` when the CLI said). */
  | { kind: "rate_limited"; retryAfterMs: number | null; message: string; apiErrorStatus: number }
  | { kind: "missing_session"; message: string }
  | { kind: "lease_lost" }
  | {
      kind: "ended";
      status: Extract<TaskStatus, "failed" | "cancelled" | "timed_out">;
      error: TaskErrorInfo;
    };

/** The plan's usage limit (resets at a time), as opposed to the API's request rate limit. */
const USAGE_LIMIT = /usage limit|hit your limit/i;
const RATE_LIMIT = /rate limit/i;

/** Decides how a run ended: from `is_error` and the presence of a result line, never the exit code alone. */
export function judgeOutcome(outcome: RunOutcome, timeoutMs: number | null): Verdict {
  switch (outcome.killedFor) {
    case "timeout":
      return {
        kind: "ended",
        status: "timed_out",
        error: { code: "TIMEOUT", message: `timed out after ${timeoutMs} ms`, reason: "timeout" },
      };
    case "cancel":
    case "shutdown":
      return {
        kind: "ended",
        status: "cancelled",
        error: { code: "CANCELLED", message: "cancelled", reason: "cancelled" },
      };
    case "lease_lost":
      return { kind: "lease_lost" };
    case "over_reservation":
      // The CLI's own budget stop (error_max_budget_usd) may have landed first: report that.
      if (outcome.result) break;
      return {
        kind: "ended",
        status: "failed",
        error: {
          code: "BUDGET_EXCEEDED",
          message: "stopped: the streamed cost passed the task's budget reservation",
          reason: "over_reservation",
        },
      };
    case null:
      break;
  }
  const r = outcome.result;
  if (!r) {
    const tail = stderrReason(outcome.stderrTail);
    return {
      kind: "ended",
      status: "failed",
      error: {
        code: "TASK_FAILED",
        message: `the CLI ended without a result (exit ${outcome.exitCode ?? outcome.signal})${tail ? `: ${tail}` : ""}`,
        reason: "no_result",
        details: { exitCode: outcome.exitCode, signal: outcome.signal },
      },
    };
  }
  if (!r.is_error) {
    return { kind: "completed", output: r.result ?? "", structuredOutput: r.structured_output };
  }
  const message = r.result ?? r.errors?.join("; ") ?? r.subtype;
  const status = r.api_error_status ?? outcome.apiErrorStatus ?? null;
  const resetsAt = outcome.rateLimitResetsAt ?? resetFromText(message);
  if (resetsAt !== null || USAGE_LIMIT.test(message)) {
    return { kind: "quota", resetsAt, message, apiErrorStatus: status };
  }
  if (status === 429 || RATE_LIMIT.test(message)) {
    return { kind: "rate_limited", retryAfterMs: outcome.retryAfterMs ?? null, message, apiErrorStatus: 429 };
  }
  // The session, or the message it was to resume at, is gone: the caller starts a new session.
  if (
    r.subtype === "error_during_execution" &&
    /No conversation found|No message found with message\.uuid/i.test(message)
  ) {
    return { kind: "missing_session", message };
  }
  const reason = r.subtype === "success" ? "api_error" : r.subtype;
  return {
    kind: "ended",
    status: "failed",
    error: {
      code: "TASK_FAILED",
      message,
      reason,
      details: { apiErrorStatus: r.api_error_status ?? null, exitCode: outcome.exitCode },
    },
  };
}

/** `Claude AI usage limit reached|1767225600` carries the reset time in unix seconds. */
function resetFromText(text: string): Date | null {
  const m = /\|(\d{9,11})\b/.exec(text);
  return m?.[1] ? new Date(Number(m[1]) * 1000) : null;
}

/** A stack frame line of a Node (or V8) trace: `    at fn (file:///…:12:3)`. */
const STACK_FRAME = /^\s*at\s.+(:\d+:\d+\)?|\(native\)|\(<anonymous>\))$/;

/**
 * The last three lines of what a CLI that crashed wrote to stderr, for the task's reason: its
 * stack frames left out, so the reason says what went wrong (a crashed Node CLI ends with frames,
 * which would push its own message out) and no stack trace reaches a user.
 */
export function stderrReason(stderrTail: string): string {
  return stderrTail
    .trim()
    .split("\n")
    .filter((line) => line.trim() !== "" && !STACK_FRAME.test(line))
    .slice(-3)
    .join(" | ");
}
