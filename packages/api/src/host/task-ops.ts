import { InvalidOptions, isTerminal, type Pool } from "@claude-pool/core";
import { type Database, getTaskDiff, requestChainCancel, requestTaskCancel } from "@claude-pool/db";

/**
 * Cancels a queued or running task wherever it runs. This engine's Pool kills its own runs and
 * cancels queued tasks; a task another engine runs is cancelled by that engine, asked through a
 * NOTIFY, and this call waits (up to `waitMs`) until it has ended. Returns whether it was cancelled.
 */
export async function cancelTask(
  pool: Pool,
  database: Database,
  taskId: string,
  waitMs = 15_000,
): Promise<boolean> {
  if (await pool.cancel(taskId)) return true;
  const task = await pool.task(taskId);
  if (isTerminal(task.status)) return false;
  await requestTaskCancel(database.db, pool.id, taskId);
  try {
    await pool.result(taskId, { wait: true, signal: AbortSignal.timeout(waitMs) });
  } catch {
    // It ended as cancelled (that throws), or the wait ran out: the status says which.
  }
  return (await pool.task(taskId)).status === "cancelled";
}

/**
 * Cancels a chain wherever it runs. The engine driving it stops it (this one, or another asked
 * through a NOTIFY), and the chain's unfinished step tasks are cancelled wherever they run (a
 * step's task may run on any engine's slot: the driving runner can only kill its own). Waits up to
 * `waitMs` for the chain to end; returns whether it ended cancelled.
 */
export async function cancelChain(
  pool: Pool,
  database: Database,
  chainId: string,
  waitMs = 15_000,
): Promise<boolean> {
  if ((await pool.chainResult(chainId)).status !== "running") return false;
  // Started first so the runner is aborted before its step ends; it settles once that task has.
  void pool.cancelChain(chainId).catch(() => false);
  await requestChainCancel(database.db, pool.id, chainId);
  const until = Date.now() + waitMs;
  for (;;) {
    const status = (await pool.chainResult(chainId)).status;
    if (status !== "running") return status === "cancelled";
    if (Date.now() > until) return false;
    // Read again on every pass: a step the runner was submitting when the cancel came may have
    // been claimed by another engine's slot since, and only that engine can stop it.
    const open = await pool.store.listTasks({
      poolId: pool.id,
      chainId,
      status: ["queued", "running", "waiting_for_quota"],
    });
    const left = Math.max(1, until - Date.now());
    await Promise.all(open.map((t) => cancelTask(pool, database, t.id, left).catch(() => false)));
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const REVIEW_TAG = "review:";

/** The review a task belongs to (pool-core tags review rounds `review:<id>`). */
export function reviewIdOf(task: { id: string; tags: readonly string[] }): string {
  const tag = task.tags.find((t) => t.startsWith(REVIEW_TAG));
  if (!tag) throw new InvalidOptions("taskId", task.id, "a task submitted with tasks.submitWithReview");
  return tag.slice(REVIEW_TAG.length);
}

export interface TaskDiffView {
  taskId: string;
  /** False when the task recorded no diff (it ran outside a worktree, or changed nothing yet). */
  recorded: boolean;
  /** Unified diff text, at most 1 MB; `truncated` when the real one was longer (`patchBytes`). */
  patch: string;
  truncated: boolean;
  patchBytes: number;
  additions: number;
  deletions: number;
  files: Array<{ path: string; additions: number; deletions: number; binary: boolean }>;
}

/** The diff the task made in its worktree, as pool-core recorded it when the task ended. */
export async function taskDiff(database: Database, taskId: string): Promise<TaskDiffView> {
  const diff = await getTaskDiff(database.db, taskId);
  if (!diff) {
    return {
      taskId,
      recorded: false,
      patch: "",
      truncated: false,
      patchBytes: 0,
      additions: 0,
      deletions: 0,
      files: [],
    };
  }
  return {
    taskId,
    recorded: true,
    patch: diff.patch,
    truncated: diff.truncated,
    patchBytes: diff.patchBytes,
    additions: diff.additions,
    deletions: diff.deletions,
    files: diff.files,
  };
}
