import { and, eq } from "drizzle-orm";
import type { Executor } from "../executor.js";
import { chains } from "../schema/chains.js";
import { type MembershipRole, memberships } from "../schema/memberships.js";
import { type PoolSlotSpec, pools } from "../schema/pools.js";
import { tasks } from "../schema/tasks.js";

/**
 * The lookups behind the API's role checks: which team a pool, task or chain belongs to, and what
 * role a user holds there. Each answers null for an id that does not exist (including one that is
 * not even shaped like an id), so the API can say NOT_FOUND without telling "unknown" from
 * "another team's".
 */

export type PoolRow = typeof pools.$inferSelect;
/** Named here so the API's inferred procedure types can refer to it. */
export type { PoolSlotSpec };
export type TaskRow = typeof tasks.$inferSelect;

/** Task and chain ids are UUID columns: anything else would be a cast error in Postgres, not a miss. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The role `userId` holds in `teamId`, or null when they are not a member (or the team is unknown). */
export async function membershipRole(
  db: Executor,
  userId: string,
  teamId: string,
): Promise<MembershipRole | null> {
  const rows = await db
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.userId, userId), eq(memberships.organizationId, teamId)))
    .limit(1);
  return rows[0]?.role ?? null;
}

/** A pool row with the team it belongs to; null for an unknown pool or one that has no team. */
export async function poolWithTeam(
  db: Executor,
  poolId: string,
): Promise<(PoolRow & { teamId: string }) | null> {
  const rows = await db.select().from(pools).where(eq(pools.id, poolId)).limit(1);
  const row = rows[0];
  if (!row || row.teamId === null) return null;
  return { ...row, teamId: row.teamId };
}

/** A task row with its pool (and so its team); null for an unknown task or a pool without a team. */
export async function taskWithPool(
  db: Executor,
  taskId: string,
): Promise<{ task: TaskRow; pool: PoolRow & { teamId: string } } | null> {
  if (!UUID.test(taskId)) return null;
  const rows = await db
    .select({ task: tasks, pool: pools })
    .from(tasks)
    .innerJoin(pools, eq(pools.id, tasks.poolId))
    .where(eq(tasks.id, taskId))
    .limit(1);
  const row = rows[0];
  if (!row || row.pool.teamId === null) return null;
  return { task: row.task, pool: { ...row.pool, teamId: row.pool.teamId } };
}

/** The pool (and so the team) of a chain; null for an unknown chain or a pool without a team. */
export async function chainPool(
  db: Executor,
  chainId: string,
): Promise<(PoolRow & { teamId: string }) | null> {
  if (!UUID.test(chainId)) return null;
  const rows = await db
    .select({ pool: pools })
    .from(chains)
    .innerJoin(pools, eq(pools.id, chains.poolId))
    .where(eq(chains.id, chainId))
    .limit(1);
  const pool = rows[0]?.pool;
  if (!pool || pool.teamId === null) return null;
  return { ...pool, teamId: pool.teamId };
}
