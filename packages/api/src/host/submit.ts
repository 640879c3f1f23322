import {
  BudgetExceeded,
  type ChainOptionsInput,
  type ChainStepInput,
  microsToUsd,
  type Pool,
  type TaskOptionsInput,
  usdToMicros,
} from "@claude-pool/core";
import { type Database, teamBudgetState } from "@claude-pool/db";

/**
 * Work entering a pool through the API. pool-core enforces the pool cap and the per-task cap (its
 * reservations are atomic across engines) and, since 0.2, the team's monthly cap in the same reservation;
 * it is checked here too, before the work is queued, so a spent team is told at once: what the
 * team's pools settled this UTC month must leave at least the task's minimum (its `maxBudgetUsd`
 * when set). Reservations in flight do not count: pool-core's admission makes a task wait for
 * them (they may settle for less) and holds the cap atomically when the task starts.
 */
export async function assertTeamBudget(
  database: Database,
  teamId: string,
  pool: Pool,
  needUsd?: number,
): Promise<void> {
  const b = await teamBudgetState(database.db, teamId);
  if (!b || b.capMicros === null) return;
  const left = Math.max(0, b.capMicros - b.spentMicros);
  const need = usdToMicros(needUsd ?? pool.options.config.minTaskBudgetUsd);
  if (left < need) {
    throw new BudgetExceeded(
      `the team's monthly budget is spent: $${microsToUsd(left)} left of $${microsToUsd(b.capMicros)} since ${b.monthStart}, the task needs $${microsToUsd(need)}`,
      microsToUsd(left),
      microsToUsd(need),
    );
  }
}

export interface Submitter {
  database: Database;
  teamId: string;
  userId: string;
}

export async function submitTask(
  who: Submitter,
  pool: Pool,
  prompt: string,
  options: TaskOptionsInput,
): Promise<string> {
  await assertTeamBudget(who.database, who.teamId, pool, options.maxBudgetUsd);
  return pool.submit(prompt, { ...options, submittedBy: who.userId });
}

/**
 * Queues every prompt, in prompt order, and returns their ids. With `failFast`, this engine
 * watches them and cancels the unfinished ones when one fails (as pool-core's `fanOut` does).
 * If a prompt is refused, the ones already queued are cancelled and the refusal is thrown.
 */
export async function submitFanOut(
  who: Submitter,
  pool: Pool,
  prompts: readonly string[],
  options: TaskOptionsInput & { failFast?: boolean },
): Promise<string[]> {
  const { failFast, ...taskOptions } = options;
  await assertTeamBudget(who.database, who.teamId, pool, taskOptions.maxBudgetUsd);
  // One after another, so the queue holds them in prompt order (a one-slot pool runs the first
  // prompt first); a submit is an insert, admission happens when a slot takes the task.
  const ids: string[] = [];
  try {
    for (const prompt of prompts)
      ids.push(await pool.submit(prompt, { ...taskOptions, submittedBy: who.userId }));
  } catch (refused) {
    await Promise.all(ids.map((id) => pool.cancel(id).catch(() => false)));
    throw refused;
  }
  if (failFast) void cancelRestOnFailure(pool, ids);
  return ids;
}

async function cancelRestOnFailure(pool: Pool, ids: readonly string[]): Promise<void> {
  let failed = false;
  await Promise.all(
    ids.map(async (id) => {
      try {
        const result = await pool.result(id, { wait: true });
        if (result !== null) return;
      } catch {
        // failed, cancelled or timed out
      }
      if (failed) return;
      failed = true;
      await Promise.all(
        ids.filter((other) => other !== id).map((other) => pool.cancel(other).catch(() => false)),
      );
    }),
  );
}

export async function submitChain(
  who: Submitter,
  pool: Pool,
  steps: readonly ChainStepInput[],
  options: ChainOptionsInput,
): Promise<string> {
  await assertTeamBudget(who.database, who.teamId, pool, options.maxBudgetUsd);
  return pool.submitChain(steps, { ...options, submittedBy: who.userId });
}
