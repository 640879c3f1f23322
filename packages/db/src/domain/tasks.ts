import type { TaskStatus } from "@claude-pool/core";
import { and, desc, eq, inArray, lt } from "drizzle-orm";
import type { Executor } from "../client.js";
import { taskEvents } from "../schema/task-events.js";
import { tasks } from "../schema/tasks.js";

export type TaskRow = typeof tasks.$inferSelect;

export interface TaskPageQuery {
  poolId: string;
  status?: TaskStatus[];
  /** The `nextCursor` of the previous page. */
  cursor?: number;
  limit: number;
}

export interface TaskPage {
  items: TaskRow[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: number | null;
}

/** A pool's tasks, newest first, one page at a time (keyset on `seq`, stable while tasks arrive). */
export async function listTaskPage(db: Executor, query: TaskPageQuery): Promise<TaskPage> {
  const rows = await db
    .select()
    .from(tasks)
    .where(
      and(
        eq(tasks.poolId, query.poolId),
        query.status && query.status.length > 0 ? inArray(tasks.status, query.status) : undefined,
        query.cursor === undefined ? undefined : lt(tasks.seq, query.cursor),
      ),
    )
    .orderBy(desc(tasks.seq))
    .limit(query.limit + 1);
  const items = rows.slice(0, query.limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > query.limit && last ? last.seq : null };
}

/**
 * The diff a task made in its worktree, when the pool recorded one (a `diff` event; pool-core 0.2
 * records them). undefined when nothing was recorded.
 */
export async function recordedTaskDiff(db: Executor, taskId: string): Promise<unknown> {
  const [row] = await db
    .select({ payload: taskEvents.payload })
    .from(taskEvents)
    .where(and(eq(taskEvents.taskId, taskId), eq(taskEvents.kind, "diff")))
    .orderBy(desc(taskEvents.seq))
    .limit(1);
  return row?.payload;
}
