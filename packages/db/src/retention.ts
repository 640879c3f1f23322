import { sql } from "drizzle-orm";
import { type Executor, queryRows } from "./executor.js";

/**
 * Deletes stored output lines older than `olderThan` of tasks that have ended. Spend, tokens and
 * results live on the task rows and the rollups and are never pruned; a running task keeps its
 * whole log so its subscribers can still replay it. Returns how many events were deleted.
 */
export async function pruneTaskEvents(db: Executor, options: { olderThan: Date }): Promise<number> {
  const [row] = await queryRows<{ deleted: string | number }>(
    db,
    sql`with d as (
      delete from task_events e using tasks t
      where e.task_id = t.id and e.at < ${options.olderThan.toISOString()}::timestamptz
        and t.status in ('completed', 'failed', 'cancelled', 'timed_out')
      returning 1
    ) select count(*) as deleted from d`,
  );
  return Number(row?.deleted ?? 0);
}
