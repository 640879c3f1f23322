import path from "node:path";
import type { ClaimedTask, Store } from "../store/port.js";
import { diffTrees, snapshotTree } from "../worktrees/diff.js";
import type { Slot } from "./slot.js";

/** The task event holding the tree its worktree had before it first ran. */
export const WORKTREE_SNAPSHOT = "worktree.snapshot";

/**
 * The worktree whose changes the task's diff records: the slot's own (a `worktree: true` pool)
 * or its chain's (`isolation: "worktree"`). Other directories (the user's checkout) are not
 * snapshotted: they may be large, and what changed there is not the pool's to show.
 */
export function diffedWorktree(slot: Slot, task: ClaimedTask): string | null {
  if (task.cwd === null) return slot.worktreePath;
  if (task.chainId !== null && path.basename(task.cwd) === `chain-${task.chainId}`) return task.cwd;
  return null;
}

/**
 * The tree the worktree had before the task first ran: taken now on its first attempt (and kept
 * as a task event), read back on a later one, so a parked or recovered task's diff covers all
 * its attempts. Null when the worktree cannot be read (the diff is then not recorded).
 */
export async function treeBefore(store: Store, task: ClaimedTask, worktree: string): Promise<string | null> {
  if (task.attempt > 1) {
    const events = await store.listTaskEvents(task.id);
    for (let i = events.length - 1; i >= 0; i--) {
      const payload = events[i]?.kind === WORKTREE_SNAPSHOT ? events[i]?.payload : undefined;
      if (
        typeof payload === "object" &&
        payload !== null &&
        "tree" in payload &&
        typeof payload.tree === "string"
      ) {
        return payload.tree;
      }
    }
  }
  try {
    const tree = await snapshotTree(worktree);
    await store.appendTaskEvents(task.id, [{ kind: WORKTREE_SNAPSHOT, payload: { tree, worktree } }]);
    return tree;
  } catch (error) {
    process.emitWarning(`claude-pool: task ${task.id}: could not snapshot ${worktree}: ${String(error)}`);
    return null;
  }
}

/** Records what the task changed in its worktree (the store bounds the patch to 1 MB, marked truncated). */
export async function recordTaskDiff(
  store: Store,
  taskId: string,
  worktree: string,
  before: string,
): Promise<void> {
  try {
    const change = await diffTrees(worktree, before, await snapshotTree(worktree));
    await store.saveTaskDiff({ taskId, files: change.files, patch: change.patch });
  } catch (error) {
    process.emitWarning(`claude-pool: task ${taskId}: could not record its diff: ${String(error)}`);
  }
}
