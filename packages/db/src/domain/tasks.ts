import type { TaskStatus } from "@claude-pool/core";
import { and, desc, eq, inArray, lt, sql } from "drizzle-orm";
import { type Executor, queryRows } from "../executor.js";
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
 * What an engine still runs in a pool (or in all): tasks it holds and chains it drives under a
 * live lease. The host waits for this to reach zero before restarting or stopping a pool.
 */
export async function engineActiveWork(db: Executor, engineId: string, poolId?: string): Promise<number> {
  const pool = poolId === undefined ? sql`` : sql` and pool_id = ${poolId}`;
  const [row] = await queryRows<{ n: number }>(
    db,
    sql`select ((select count(*) from tasks where engine_id = ${engineId} and status = 'running'
          and lease_expires_at > now()${pool})
      + (select count(*) from chains where engine_id = ${engineId} and status = 'running'
          and lease_expires_at > now()${pool}))::int as n`,
  );
  return Number(row?.n ?? 0);
}

/**
 * Engines listen here for cancellations of work another engine is running. Payload `poolId taskId`,
 * or `poolId chain:<chainId>` for a chain.
 */
export const TASK_CANCEL_CHANNEL = "claude_pool_cancel";

/** Asks whichever engine runs the task to cancel it (pool-core can only kill its own runs). */
export async function requestTaskCancel(db: Executor, poolId: string, taskId: string): Promise<void> {
  await db.execute(sql`select pg_notify(${TASK_CANCEL_CHANNEL}::text, ${`${poolId} ${taskId}`}::text)`);
}

/** Asks whichever engine drives the chain to cancel it. */
export async function requestChainCancel(db: Executor, poolId: string, chainId: string): Promise<void> {
  await db.execute(
    sql`select pg_notify(${TASK_CANCEL_CHANNEL}::text, ${`${poolId} chain:${chainId}`}::text)`,
  );
}
