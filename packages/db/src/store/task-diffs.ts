import { type NewTaskDiff, storedDiff, type TaskDiff } from "@claude-pool/core";
import { eq, type SQL } from "drizzle-orm";
import type { Db } from "../executor.js";
import { taskDiffs } from "../schema/index.js";

/** Saves a task's diff (the patch bounded as every store bounds it), replacing an earlier one. */
export async function saveTaskDiff(db: Db, diff: NewTaskDiff, now: SQL): Promise<TaskDiff> {
  const stored = storedDiff(diff, new Date());
  const { taskId: _taskId, createdAt: _createdAt, ...values } = stored;
  const [row] = await db
    .insert(taskDiffs)
    .values({ ...values, taskId: diff.taskId, createdAt: now })
    .onConflictDoUpdate({ target: taskDiffs.taskId, set: { ...values, createdAt: now } })
    .returning();
  if (!row) throw new Error(`saving the diff of task ${diff.taskId} returned no row`);
  return toTaskDiff(row);
}

export async function getTaskDiff(db: Db, taskId: string): Promise<TaskDiff | undefined> {
  const [row] = await db.select().from(taskDiffs).where(eq(taskDiffs.taskId, taskId));
  return row ? toTaskDiff(row) : undefined;
}

function toTaskDiff(r: typeof taskDiffs.$inferSelect): TaskDiff {
  return {
    taskId: r.taskId,
    files: r.files,
    patch: r.patch,
    truncated: r.truncated,
    patchBytes: r.patchBytes,
    additions: r.additions,
    deletions: r.deletions,
    createdAt: r.createdAt,
  };
}
