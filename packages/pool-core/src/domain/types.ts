import type { Micros } from "./money.js";

export const PERMISSION_MODES = [
  "default",
  "acceptEdits",
  "auto",
  "bypassPermissions",
  "manual",
  "dontAsk",
  "plan",
] as const;
export type PermissionMode = (typeof PERMISSION_MODES)[number];

export const EFFORTS = ["low", "medium", "high", "xhigh", "max"] as const;
export type Effort = (typeof EFFORTS)[number];

export type SessionMode = "resume" | "fresh";

/**
 * Claude settings that can be set on the pool, a slot and a task. The task's value wins over the
 * slot's, which wins over the pool's.
 */
export interface ClaudeConfig {
  model?: string;
  fallbackModel?: string;
  effort?: Effort;
  permissionMode?: PermissionMode;
  allowedTools?: string[];
  disallowedTools?: string[];
  maxTurns?: number;
  /** JSON schema for structured output (`--json-schema`). */
  jsonSchema?: Record<string, unknown>;
  /** Appended to Claude Code's own system prompt (never replaces it). */
  systemPrompt?: string;
  addDirs?: string[];
}

export interface TokenUsage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

export interface TaskResult {
  taskId: string;
  output: string;
  /** Present when the task ran with a JSON schema. */
  structuredOutput?: unknown;
  spendUsd: number;
  tokens: TokenUsage;
  sessionId: string;
  slotId: string;
  model: string;
  turns: number;
  durationMs: number;
}

export type TaskStatus =
  | "queued"
  | "running"
  | "waiting_for_quota"
  | "completed"
  | "failed"
  | "cancelled"
  | "timed_out";

export const TERMINAL_STATUSES: readonly TaskStatus[] = ["completed", "failed", "cancelled", "timed_out"];

export function isTerminal(status: TaskStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

export interface TaskErrorInfo {
  /** A PoolError code, e.g. TASK_FAILED, TIMEOUT, CANCELLED, BUDGET_EXCEEDED. */
  code: string;
  message: string;
  /** Finer reason: api_error, crashed, no_result, error_max_turns, error_max_budget_usd, over_reservation, engine_restarted… */
  reason?: string;
  /** Figures that explain the error, e.g. `remainingUsd` and `requiredUsd` for BUDGET_EXCEEDED. */
  details?: Record<string, number | string | null>;
}

export type SlotState = "idle" | "busy" | "stopped";

export interface SlotInfo {
  id: string;
  name: string;
  role: string | null;
  description: string | null;
  state: SlotState;
  currentTaskId: string | null;
  tasksCompleted: number;
  errors: number;
  spendUsd: number;
  worktreePath: string | null;
  sessionId: string | null;
  /** A `claude` process is alive and ready for the slot's next turn (warm driver). */
  warm: boolean;
}

export interface PoolStatus {
  slots: SlotInfo[];
  activeTasks: number;
  pendingTasks: number;
  spendUsd: number;
  reservedUsd: number;
  budgetUsd: number | null;
  /** True when the pool or one of its slots runs with `permissionMode: "bypassPermissions"`. */
  bypassPermissions: boolean;
  /**
   * An account of the pool is over its usage limit: `until` (ISO, UTC) is when the first such
   * park ends (its slots claim again), `parkedTasks` how many tasks wait for quota. Null: none.
   */
  usageLimit: UsageLimitStatus | null;
}

export interface UsageLimitStatus {
  until: string;
  parkedTasks: number;
}

export interface DrainSummary {
  totalTasks: number;
  totalSpendUsd: number;
  errorCount: number;
  cancelledTasks: number;
}

/** Internal money-carrying view of a finished task, as the store keeps it. */
export interface TaskSpend {
  spendMicros: Micros;
  tokens: TokenUsage;
}
