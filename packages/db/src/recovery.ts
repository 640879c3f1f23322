import { and, eq, sql } from "drizzle-orm";
import type { Executor } from "./executor.js";
import { chains, slots, tasks } from "./schema/index.js";

export interface RecoveryOptions {
  /** The id this engine ran under before it stopped (engines keep a stable id across restarts). */
  engineId: string;
  /** Limit recovery to one pool (default: every pool the engine ran). */
  poolId?: string;
}

export interface RecoveryReport {
  /** Tasks the engine was running when it stopped: claimable again at once. */
  interruptedTasks: string[];
  /** Chains it was driving: their lease is expired so any engine may continue them. */
  interruptedChains: string[];
  /** Worktrees its slots used; no process owns them any more. */
  orphanedWorktrees: string[];
}

/**
 * What an engine calls at start, before `Pool.create`, when it restarts under the id it had: the
 * tasks it was running are made claimable now instead of after their lease runs out. The claim then
 * does the rest (as it does for any engine's expired lease): it releases the dead run's reservation,
 * settles a run whose successful `result` line was already stored, and counts a recovery, so the
 * Pool resumes the task in its Claude session once and fails it (`engine_restarted`) the next time.
 * Queued and parked tasks need nothing: they are claimed as usual.
 */
export async function recoverOnStart(db: Executor, options: RecoveryOptions): Promise<RecoveryReport> {
  const expired = sql`now() - interval '1 millisecond'`;
  const interrupted = await db
    .update(tasks)
    .set({ leaseExpiresAt: expired })
    .where(
      and(
        eq(tasks.engineId, options.engineId),
        eq(tasks.status, "running"),
        options.poolId ? eq(tasks.poolId, options.poolId) : undefined,
      ),
    )
    .returning({ id: tasks.id });
  const interruptedChains = await db
    .update(chains)
    .set({ leaseExpiresAt: expired })
    .where(
      and(
        eq(chains.engineId, options.engineId),
        eq(chains.status, "running"),
        options.poolId ? eq(chains.poolId, options.poolId) : undefined,
      ),
    )
    .returning({ id: chains.id });
  const stopped = await db
    .update(slots)
    .set({ state: "stopped", currentTaskId: null, updatedAt: sql`now()` })
    .where(
      and(
        eq(slots.engineId, options.engineId),
        options.poolId ? eq(slots.poolId, options.poolId) : undefined,
      ),
    )
    .returning({ worktreePath: slots.worktreePath });
  return {
    interruptedTasks: interrupted.map((r) => r.id),
    interruptedChains: interruptedChains.map((r) => r.id),
    orphanedWorktrees: stopped.flatMap((s) => (s.worktreePath ? [s.worktreePath] : [])),
  };
}
