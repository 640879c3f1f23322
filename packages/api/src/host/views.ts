import {
  microsToUsd,
  type TaskErrorInfo,
  type TaskResult,
  type TaskStatus,
  type TokenUsage,
  usesBypassPermissions,
} from "@claude-pool/core";
import type { StoredPool, StoredTask } from "@claude-pool/db";

/**
 * What the API returns: money in USD, ids as strings, times ISO-8601 UTC. Built from database rows
 * so a task or pool reads the same whichever engine runs it.
 */

export interface TaskView {
  id: string;
  poolId: string;
  prompt: string;
  status: TaskStatus;
  priority: number;
  tags: string[];
  targetSlotId: string | null;
  targetRole: string | null;
  slotId: string | null;
  engineId: string | null;
  attempt: number;
  recoveries: number;
  sessionId: string | null;
  spendUsd: number;
  reservedUsd: number;
  maxBudgetUsd: number | null;
  timeoutMs: number | null;
  tokens: TokenUsage;
  model: string | null;
  turns: number;
  result: TaskResult | null;
  error: TaskErrorInfo | null;
  chainId: string | null;
  chainStep: string | null;
  parentTaskId: string | null;
  submittedBy: string | null;
  skill: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** A `waiting_for_quota` task runs again at this time (its account's usage-limit reset). */
  runAfter: string | null;
}

export function taskView(r: StoredTask): TaskView {
  return {
    id: r.id,
    poolId: r.poolId,
    prompt: r.prompt,
    status: r.status,
    priority: r.priority,
    tags: r.tags,
    targetSlotId: r.targetSlotId,
    targetRole: r.targetRole,
    slotId: r.slotId,
    engineId: r.engineId,
    attempt: r.attempt,
    recoveries: r.recoveries,
    sessionId: r.claudeSessionId,
    spendUsd: microsToUsd(r.spendMicros),
    reservedUsd: microsToUsd(r.reservedMicros),
    maxBudgetUsd: r.maxBudgetMicros === null ? null : microsToUsd(r.maxBudgetMicros),
    timeoutMs: r.timeoutMs,
    tokens: {
      input: r.inputTokens,
      output: r.outputTokens,
      cacheRead: r.cacheReadTokens,
      cacheWrite: r.cacheWriteTokens,
    },
    model: r.model,
    turns: r.turns,
    result: r.result,
    error: r.error,
    chainId: r.chainId,
    chainStep: r.chainStep,
    parentTaskId: r.parentTaskId,
    submittedBy: r.submittedBy,
    skill: r.skill,
    createdAt: r.createdAt.toISOString(),
    startedAt: r.startedAt?.toISOString() ?? null,
    finishedAt: r.finishedAt?.toISOString() ?? null,
    runAfter: r.runAfter?.toISOString() ?? null,
  };
}

export interface PoolView {
  id: string;
  teamId: string | null;
  name: string;
  slots: number;
  config: Record<string, unknown>;
  budgetUsd: number | null;
  spendUsd: number;
  reservedUsd: number;
  slotSpecs: StoredPool["slotSpecs"];
  /** The pool or one of its slots runs with `permissionMode: "bypassPermissions"` (opted in). */
  bypassPermissions: boolean;
  createdAt: string;
  updatedAt: string;
}

export function poolView(r: StoredPool): PoolView {
  const { slots, ...config } = r.config;
  return {
    id: r.id,
    teamId: r.teamId,
    name: r.name,
    slots: typeof slots === "number" ? slots : 1,
    config,
    budgetUsd: r.budgetCapMicros === null ? null : microsToUsd(r.budgetCapMicros),
    spendUsd: microsToUsd(r.spentMicros),
    reservedUsd: microsToUsd(r.reservedMicros),
    slotSpecs: r.slotSpecs,
    bypassPermissions: usesBypassPermissions(
      config,
      Object.values(r.slotSpecs).map((s) => s.config),
    ),
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}
