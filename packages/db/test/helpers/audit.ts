import { sql } from "drizzle-orm";
import { type Database, type Executor, queryRows } from "../../src/index.js";

export interface PoolAudit {
  byStatus: Record<string, number>;
  nonTerminal: number;
  /** Tasks with more than one successful `result` line: work done (and billed) twice. */
  completedTwice: number;
  taskSpend: number;
  poolSpent: number;
  poolReserved: number;
  rollupSpend: number;
  rollupTasks: number;
  failureReasons: Record<string, number>;
  recovered: number;
  /** Messages of tasks that failed for an unexpected reason, to make a failing assertion explain itself. */
  unexpectedErrors: string[];
}

/**
 * Reads everything the multi-process tests assert about a pool, straight from the tables, in one
 * snapshot (engines keep settling while the audit reads).
 */
export function auditPool(database: Database, poolId: string): Promise<PoolAudit> {
  return database.db.transaction((tx) => readAudit(tx, poolId), { isolationLevel: "repeatable read" });
}

async function readAudit(db: Executor, poolId: string): Promise<PoolAudit> {
  const statuses = await queryRows<{ status: string; n: number }>(
    db,
    sql`select status, count(*)::int as n from tasks where pool_id = ${poolId} group by status`,
  );
  const [row] = await queryRows<Record<string, string | number | null>>(
    db,
    sql`select
      (select count(*) from tasks where pool_id = ${poolId}
         and status not in ('completed', 'failed', 'cancelled', 'timed_out'))::int as non_terminal,
      (select count(*) from (select e.task_id from task_events e join tasks t on t.id = e.task_id
         where t.pool_id = ${poolId} and e.kind = 'result' and e.payload->>'is_error' = 'false'
         group by e.task_id having count(*) > 1) x)::int as completed_twice,
      (select coalesce(sum(spend_micros), 0) from tasks where pool_id = ${poolId})::text as task_spend,
      (select spent_micros from pools where id = ${poolId})::text as pool_spent,
      (select reserved_micros from pools where id = ${poolId})::text as pool_reserved,
      (select coalesce(sum(spend_micros), 0) from spend_daily where pool_id = ${poolId})::text as rollup_spend,
      (select coalesce(sum(tasks), 0) from spend_daily where pool_id = ${poolId})::int as rollup_tasks,
      (select count(*) from tasks where pool_id = ${poolId} and recoveries > 0)::int as recovered`,
  );
  const reasons = await queryRows<{ reason: string | null; n: number }>(
    db,
    sql`select coalesce(error->>'reason', error->>'code') as reason, count(*)::int as n from tasks
      where pool_id = ${poolId} and status <> 'completed' group by 1`,
  );
  const unexpected = await queryRows<{ message: string | null }>(
    db,
    sql`select error->>'message' as message from tasks
      where pool_id = ${poolId} and error->>'reason' = 'internal' limit 5`,
  );
  return {
    unexpectedErrors: unexpected.map((u) => u.message ?? "?"),
    byStatus: Object.fromEntries(statuses.map((s) => [s.status, Number(s.n)])),
    nonTerminal: Number(row?.non_terminal),
    completedTwice: Number(row?.completed_twice),
    taskSpend: Number(row?.task_spend),
    poolSpent: Number(row?.pool_spent),
    poolReserved: Number(row?.pool_reserved),
    rollupSpend: Number(row?.rollup_spend),
    rollupTasks: Number(row?.rollup_tasks),
    failureReasons: Object.fromEntries(reasons.map((r) => [r.reason ?? "?", Number(r.n)])),
    recovered: Number(row?.recovered),
  };
}
