import type {
  ChainProgress,
  DrainSummary,
  PoolStatus,
  ReviewState,
  TaskErrorInfo,
  TaskResult,
  TokenUsage,
} from "@claude-pool/core";
import { z } from "zod";
import type { SkillView, TaskView } from "./backend.js";

/**
 * What the tools return as `structuredContent`, in the crate's snake_case. The real CLI shows
 * the model this JSON, not the text content (claude-cli.md §10), so every answer a coordinator
 * needs (the output above all) is in here. Each schema is also the tool's `outputSchema`.
 */

const tokens = z.object({
  input: z.number(),
  output: z.number(),
  cache_read: z.number(),
  cache_write: z.number(),
});
const error = z.object({ code: z.string(), message: z.string(), reason: z.string().nullable() }).nullable();

export const taskOutput = z.object({
  task_id: z.string(),
  status: z.string(),
  output: z.string().nullable(),
  structured_output: z.unknown().optional(),
  spend_usd: z.number(),
  tokens,
  model: z.string().nullable(),
  turns: z.number(),
  duration_ms: z.number().nullable(),
  slot_id: z.string().nullable(),
  session_id: z.string().nullable(),
  error,
  tags: z.array(z.string()),
});
export type TaskOutput = z.infer<typeof taskOutput>;

export function tokensOut(t: TokenUsage): z.infer<typeof tokens> {
  return { input: t.input, output: t.output, cache_read: t.cacheRead, cache_write: t.cacheWrite };
}

function errorOut(e: TaskErrorInfo | null): z.infer<typeof error> {
  return e ? { code: e.code, message: e.message, reason: e.reason ?? null } : null;
}

export function taskOut(t: TaskView): TaskOutput {
  return {
    task_id: t.taskId,
    status: t.status,
    output: t.output,
    ...(t.structuredOutput !== undefined ? { structured_output: t.structuredOutput } : {}),
    spend_usd: t.spendUsd,
    tokens: tokensOut(t.tokens),
    model: t.model,
    turns: t.turns,
    duration_ms: t.durationMs,
    slot_id: t.slotId,
    session_id: t.sessionId,
    error: errorOut(t.error),
    tags: t.tags,
  };
}

export function resultOut(r: TaskResult): TaskOutput {
  return {
    task_id: r.taskId,
    status: "completed",
    output: r.output,
    ...(r.structuredOutput !== undefined ? { structured_output: r.structuredOutput } : {}),
    spend_usd: r.spendUsd,
    tokens: tokensOut(r.tokens),
    model: r.model,
    turns: r.turns,
    duration_ms: r.durationMs,
    slot_id: r.slotId,
    session_id: r.sessionId,
    error: null,
    tags: [],
  };
}

export const taskListOutput = z.object({
  tasks: z.array(
    z.object({
      task_id: z.string(),
      status: z.string(),
      prompt: z.string(),
      slot_id: z.string().nullable(),
      spend_usd: z.number(),
      created_at: z.string(),
      finished_at: z.string().nullable(),
      tags: z.array(z.string()),
    }),
  ),
});

export const fanOutOutput = z.object({
  results: z.array(taskOutput),
  completed: z.number(),
  failed: z.number(),
  total_spend_usd: z.number(),
});

const slot = z.object({
  id: z.string(),
  name: z.string(),
  role: z.string().nullable(),
  description: z.string().nullable(),
  state: z.string(),
  current_task_id: z.string().nullable(),
  tasks_completed: z.number(),
  spend_usd: z.number(),
});

export const statusOutput = z.object({
  pool: z.string(),
  total_slots: z.number(),
  idle_slots: z.number(),
  busy_slots: z.number(),
  active_tasks: z.number(),
  pending_tasks: z.number(),
  spend_usd: z.number(),
  reserved_usd: z.number(),
  budget_usd: z.number().nullable(),
  budget_remaining_usd: z.number().nullable(),
  /** The pool's account is over its usage limit: its tasks wait until `until` (ISO, UTC). */
  usage_limit: z.object({ until: z.string(), parked_tasks: z.number() }).nullable(),
  slots: z.array(slot),
});

export function statusOut(label: string, s: PoolStatus): z.infer<typeof statusOutput> {
  const idle = s.slots.filter((x) => x.state === "idle").length;
  return {
    pool: label,
    total_slots: s.slots.length,
    idle_slots: idle,
    busy_slots: s.slots.filter((x) => x.state === "busy").length,
    active_tasks: s.activeTasks,
    pending_tasks: s.pendingTasks,
    spend_usd: s.spendUsd,
    reserved_usd: s.reservedUsd,
    budget_usd: s.budgetUsd,
    budget_remaining_usd:
      s.budgetUsd === null ? null : Math.max(0, round6(s.budgetUsd - s.spendUsd - s.reservedUsd)),
    usage_limit: s.usageLimit ? { until: s.usageLimit.until, parked_tasks: s.usageLimit.parkedTasks } : null,
    slots: s.slots.map((x) => ({
      id: x.id,
      name: x.name,
      role: x.role,
      description: x.description,
      state: x.state,
      current_task_id: x.currentTaskId,
      tasks_completed: x.tasksCompleted,
      spend_usd: x.spendUsd,
    })),
  };
}

function round6(usd: number): number {
  return Math.round(usd * 1_000_000) / 1_000_000;
}

const step = z.object({
  name: z.string(),
  status: z.string(),
  attempts: z.number(),
  output: z.string().nullable(),
  vars: z.record(z.string(), z.unknown()),
  error: z.string().nullable(),
  recovered: z.boolean(),
  spend_usd: z.number(),
  duration_ms: z.number(),
  task_ids: z.array(z.string()),
});

export const chainOutput = z.object({
  chain_id: z.string(),
  /** The crate called a chain's id `task_id`; both are given so crate prompts keep working. */
  task_id: z.string(),
  status: z.string(),
  success: z.boolean().nullable(),
  total_steps: z.number(),
  current_step: z.number().nullable(),
  current_step_name: z.string().nullable(),
  completed: z.array(z.string()),
  final_output: z.string().nullable(),
  partial_output: z.string(),
  error: z.string().nullable(),
  spend_usd: z.number(),
  session_id: z.string().nullable(),
  worktree_path: z.string().nullable(),
  branch: z.string().nullable(),
  steps: z.array(step),
});

export function chainOut(p: ChainProgress): z.infer<typeof chainOutput> {
  return {
    chain_id: p.chainId,
    task_id: p.chainId,
    status: p.status,
    success: p.success,
    total_steps: p.totalSteps,
    current_step: p.currentStep,
    current_step_name: p.currentStepName,
    completed: p.steps.filter((s) => s.status === "completed").map((s) => s.name),
    final_output: p.finalOutput,
    partial_output: p.partialOutput,
    error: p.error,
    spend_usd: p.spendUsd,
    session_id: p.sessionId,
    worktree_path: p.worktreePath,
    branch: p.branch,
    steps: p.steps.map((s) => ({
      name: s.name,
      status: s.status,
      attempts: s.attempts,
      output: s.output,
      vars: s.vars,
      error: s.error,
      recovered: s.recovered,
      spend_usd: s.spendUsd,
      duration_ms: s.durationMs,
      task_ids: s.taskIds,
    })),
  };
}

export const chainIdOutput = z.object({ chain_id: z.string(), task_id: z.string() });

export const fanOutChainsOutput = z.object({ chain_ids: z.array(z.string()), task_ids: z.array(z.string()) });

export const reviewOutput = z.object({
  review_id: z.string(),
  /** The crate addressed reviews by task id; this is the same id. */
  task_id: z.string(),
  status: z.string(),
  rejections: z.number(),
  max_rejections: z.number(),
  output: z.string().nullable(),
  rounds: z.array(
    z.object({
      task_id: z.string(),
      output: z.string().nullable(),
      error: z.string().nullable(),
      feedback: z.string().nullable(),
    }),
  ),
  error: z.string().nullable(),
});

export function reviewOut(r: ReviewState): z.infer<typeof reviewOutput> {
  return {
    review_id: r.reviewId,
    task_id: r.reviewId,
    status: r.status,
    rejections: r.rejections,
    max_rejections: r.maxRejections,
    output: r.result?.output ?? r.rounds.at(-1)?.output ?? null,
    rounds: r.rounds.map((x) => ({
      task_id: x.taskId,
      output: x.output,
      error: x.error,
      feedback: x.feedback,
    })),
    error: r.error,
  };
}

export const drainOutput = z.object({
  total_tasks: z.number(),
  total_spend_usd: z.number(),
  error_count: z.number(),
  cancelled_tasks: z.number(),
});

export function drainOut(d: DrainSummary): z.infer<typeof drainOutput> {
  return {
    total_tasks: d.totalTasks,
    total_spend_usd: d.totalSpendUsd,
    error_count: d.errorCount,
    cancelled_tasks: d.cancelledTasks,
  };
}

export const skillOutput = z.object({
  name: z.string(),
  description: z.string(),
  prompt: z.string(),
  scope: z.string(),
  source: z.string(),
  arguments: z.array(z.object({ name: z.string(), description: z.string(), required: z.boolean() })),
  steps: z.number(),
});

export function skillOut(s: SkillView): z.infer<typeof skillOutput> {
  return { ...s, arguments: s.arguments.map((a) => ({ ...a })) };
}

export const skillListOutput = z.object({ skills: z.array(skillOutput) });

export const skillRunOutput = z.object({
  skill: z.string(),
  kind: z.enum(["task", "chain"]),
  output: z.string().nullable(),
  spend_usd: z.number(),
  task: taskOutput.nullable(),
  chain: chainOutput.nullable(),
});

export const okOutput = z.object({ ok: z.boolean(), message: z.string() });

export const contextValueOutput = z.object({
  key: z.string(),
  value: z.string().nullable(),
  found: z.boolean(),
});

export const contextListOutput = z.object({
  entries: z.array(z.object({ key: z.string(), value: z.string() })),
  /** The same entries as one object, as the crate returned them. */
  context: z.record(z.string(), z.string()),
});
