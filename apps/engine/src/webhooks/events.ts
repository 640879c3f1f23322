import type { ChainProgress, Pool, PoolEvent, TaskResult } from "@claude-pool/core";
import {
  type Executor,
  enqueueWebhookEvent,
  getPoolRow,
  teamBudgetState,
  type WebhookEvent,
} from "@claude-pool/db";

/** Percentages of a cap that fire `budget.threshold`, once per crossing. */
export const BUDGET_THRESHOLDS = [80, 100] as const;

/**
 * Whether spent has reached `percent` of cap, in whole micro-dollars: in floating point
 * 0.08 < 0.1 × 0.8 (= 0.08000000000000002), so a pool at exactly 80% never fired.
 */
export function reachedPercent(spentMicros: number, capMicros: number, percent: number): boolean {
  return spentMicros * 100 >= capMicros * percent;
}
/** Longer outputs are cut in the payload (the full output stays in the engine). */
const MAX_OUTPUT_CHARS = 64 * 1024;

export interface WebhookEventOptions {
  db: Executor;
  maxAttempts: number;
  /** Called after something was queued, so the worker sends it now. */
  onQueued?: () => void;
  onError?: (error: unknown) => void;
}

/**
 * Turns a running Pool's events into queued webhook deliveries for the pool's team:
 * task.completed / task.failed (failed or timed out), chain.completed / chain.failed, and
 * budget.threshold when settled spend reaches 80% or 100% of the pool's cap or the team's
 * monthly cap. Each fact has a dedupe key, so it is queued once however often it is seen.
 */
export function queueWebhooksFor(pool: Pool, options: WebhookEventOptions): () => void {
  let team: Promise<{ teamId: string; poolName: string } | null> | null = null;
  const teamOf = () => {
    team ??= getPoolRow(options.db, pool.id).then((row) =>
      row?.teamId ? { teamId: row.teamId, poolName: row.name } : null,
    );
    return team;
  };

  async function queue(event: WebhookEvent, dedupeKey: string, data: Record<string, unknown>): Promise<void> {
    const owner = await teamOf();
    if (!owner) return; // a pool outside any team (embedded use) has no webhooks
    const queued = await enqueueWebhookEvent(options.db, {
      teamId: owner.teamId,
      event,
      dedupeKey,
      payload: {
        occurred_at: new Date().toISOString(),
        pool_id: pool.id,
        pool_name: owner.poolName,
        ...data,
      },
      maxAttempts: options.maxAttempts,
    });
    if (queued > 0) options.onQueued?.();
  }

  async function checkTeamBudget(): Promise<void> {
    const owner = await teamOf();
    if (!owner) return;
    const budget = await teamBudgetState(options.db, owner.teamId);
    if (!budget || budget.capMicros === null || budget.capMicros <= 0) return;
    for (const percent of BUDGET_THRESHOLDS) {
      if (!reachedPercent(budget.spentMicros, budget.capMicros, percent)) continue;
      await queue(
        "budget.threshold",
        `budget:team:${owner.teamId}:${percent}:${budget.monthStart}:${budget.capMicros}`,
        {
          scope: "team",
          team_id: owner.teamId,
          threshold_percent: percent,
          spent_usd: budget.spentMicros / 1e6,
          cap_usd: budget.capMicros / 1e6,
          month_start: budget.monthStart,
        },
      );
    }
  }

  async function onEvent(event: PoolEvent): Promise<void> {
    switch (event.type) {
      case "task.completed":
        await queue("task.completed", `task.completed:${event.taskId}`, taskCompleted(event.result));
        await checkTeamBudget();
        return;
      case "task.failed": {
        if (event.status === "cancelled") return;
        const task = await pool.task(event.taskId).catch(() => null);
        await queue("task.failed", `task.failed:${event.taskId}`, {
          task_id: event.taskId,
          status: event.status,
          error: { code: event.error.code, message: event.error.message, reason: event.error.reason ?? null },
          spend_usd: (task?.spendMicros ?? 0) / 1e6,
          tags: task?.tags ?? [],
        });
        await checkTeamBudget();
        return;
      }
      case "chain.progress": {
        const p = event.progress;
        if (p.status !== "completed" && p.status !== "failed") return;
        await queue(`chain.${p.status}`, `chain.${p.status}:${p.chainId}`, chainEnded(p));
        return;
      }
      case "budget.updated": {
        if (event.budgetUsd === null || event.budgetUsd <= 0) return;
        const capMicros = Math.round(event.budgetUsd * 1e6);
        const spentMicros = Math.round(event.spentUsd * 1e6);
        for (const percent of BUDGET_THRESHOLDS) {
          if (!reachedPercent(spentMicros, capMicros, percent)) continue;
          await queue("budget.threshold", `budget:pool:${pool.id}:${percent}:${capMicros}`, {
            scope: "pool",
            threshold_percent: percent,
            spent_usd: event.spentUsd,
            cap_usd: event.budgetUsd,
          });
        }
        return;
      }
      default:
        return;
    }
  }

  return pool.on("event", (event) => {
    void onEvent(event).catch((error: unknown) => options.onError?.(error));
  });
}

function taskCompleted(r: TaskResult): Record<string, unknown> {
  return {
    task_id: r.taskId,
    status: "completed",
    output: r.output.length > MAX_OUTPUT_CHARS ? r.output.slice(0, MAX_OUTPUT_CHARS) : r.output,
    output_truncated: r.output.length > MAX_OUTPUT_CHARS,
    spend_usd: r.spendUsd,
    tokens: {
      input: r.tokens.input,
      output: r.tokens.output,
      cache_read: r.tokens.cacheRead,
      cache_write: r.tokens.cacheWrite,
    },
    model: r.model,
    turns: r.turns,
    duration_ms: r.durationMs,
    slot_id: r.slotId,
    session_id: r.sessionId,
  };
}

function chainEnded(p: ChainProgress): Record<string, unknown> {
  return {
    chain_id: p.chainId,
    status: p.status,
    final_output: p.finalOutput,
    error: p.error,
    spend_usd: p.spendUsd,
    steps: p.steps.map((s) => ({ name: s.name, status: s.status, attempts: s.attempts })),
    tags: p.tags,
  };
}
