import {
  type BudgetState,
  type Micros,
  type Reservation,
  type ReservationRequest,
  shortOf,
} from "@claude-pool/core";
import { eq, type SQL, sql } from "drizzle-orm";
import { type Db, queryRows } from "../executor.js";
import { teams } from "../schema/index.js";

/** The first day of the UTC month of `now`, as SQL: the month a team's spend counts in. */
export function utcMonthStart(now: SQL): SQL {
  return sql`date_trunc('month', (${now}) at time zone 'UTC')::date`;
}

/** A team's spend this month: what `month_spent_micros` holds if it is this month's, else nothing yet. */
function teamMonthSpent(now: SQL): SQL {
  return sql`(case when tm.spend_month = ${utcMonthStart(now)} then tm.month_spent_micros else 0 end)`;
}

export async function readBudget(db: Db, poolId: string, now: SQL): Promise<BudgetState> {
  const rows = await queryRows<{
    cap: string | number | null;
    spent: string | number;
    reserved: string | number;
    recent: Array<string | number> | string | null;
    team_id: string | null;
    team_cap: string | number | null;
    team_spent: string | number | null;
    team_reserved: string | number | null;
  }>(
    db,
    sql`select p.budget_cap_micros as cap, p.spent_micros as spent, p.reserved_micros as reserved,
        p.recent_task_costs as recent, tm.id as team_id, tm.monthly_budget_micros as team_cap,
        ${teamMonthSpent(now)} as team_spent, tm.reserved_micros as team_reserved
      from pools p left join teams tm on tm.id = p.team_id
      where p.id = ${poolId}::text`,
  );
  const [row] = rows;
  if (!row) throw new Error(`unknown pool ${poolId}`);
  return {
    capMicros: row.cap === null ? null : Number(row.cap),
    spentMicros: Number(row.spent),
    reservedMicros: Number(row.reserved),
    team:
      row.team_id === null
        ? null
        : {
            id: row.team_id,
            monthlyCapMicros: row.team_cap === null ? null : Number(row.team_cap),
            monthSpentMicros: Number(row.team_spent ?? 0),
            reservedMicros: Number(row.team_reserved ?? 0),
          },
    recentTaskCostsMicros: bigintArray(row.recent),
  };
}

/** postgres.js hands a bigint[] back as an array of strings, PGlite as numbers; either as text `{1,2}` unparsed. */
function bigintArray(value: Array<string | number> | string | null): Micros[] {
  if (value === null) return [];
  if (Array.isArray(value)) return value.map(Number);
  const inner = value.replace(/^\{|\}$/g, "");
  return inner === "" ? [] : inner.split(",").map(Number);
}

export async function setTeamBudgetCap(
  db: Db,
  teamId: string,
  monthlyCapMicros: Micros | null,
): Promise<void> {
  const updated = await db
    .update(teams)
    .set({ monthlyBudgetMicros: monthlyCapMicros })
    .where(eq(teams.id, teamId))
    .returning({ id: teams.id });
  if (updated.length === 0) throw new Error(`unknown team ${teamId}`);
}

/**
 * ONE statement checks the pool's cap and its team's monthly cap together: it locks the pool row,
 * then the team row, computes what each has left from the rows as they are after any concurrent
 * commit (a row lock re-reads the row), and adds the grant to the task's, the pool's and the
 * team's reservation only if it covers `minimum`. Engines racing on one pool or on two pools of one
 * team serialize on those locks; none can see a stale remainder. When nothing is granted, the same
 * statement reports what each cap has left, for the caller to wait or refuse.
 */
export async function reserveBudget(db: Db, r: ReservationRequest, now: SQL): Promise<Reservation> {
  const desired = Math.max(0, Math.floor(r.desiredMicros));
  const minimum = Math.max(1, Math.ceil(r.minimumMicros));
  const rows = await queryRows<{
    granted: string | number | null;
    pool_available: string | number | null;
    pool_attainable: string | number | null;
    team_available: string | number | null;
    team_attainable: string | number | null;
  }>(
    db,
    sql`
    with lp as (
      select p.id, p.team_id, p.budget_cap_micros, p.spent_micros, p.reserved_micros
      from pools p
      where p.id = ${r.poolId}::text
        and exists (select 1 from tasks t where t.id = ${r.taskId}::uuid and t.pool_id = p.id)
      for update of p
    ), lt as (
      select tm.id, tm.monthly_budget_micros, tm.reserved_micros, ${teamMonthSpent(now)} as spent
      from teams tm where tm.id = (select team_id from lp)
      for update of tm
    ), room as (
      select lp.id as pool_id, lt.id as team_id,
        lp.budget_cap_micros - lp.spent_micros - lp.reserved_micros as pool_available,
        lp.budget_cap_micros - lp.spent_micros as pool_attainable,
        lt.monthly_budget_micros - lt.spent - lt.reserved_micros as team_available,
        lt.monthly_budget_micros - lt.spent as team_attainable
      from lp left join lt on true
    ), cur as (
      select room.*, least(${desired}::bigint,
        coalesce(room.pool_available, ${desired}::bigint),
        coalesce(room.team_available, ${desired}::bigint)) as amount
      from room
    ), granted as (
      update pools set reserved_micros = pools.reserved_micros + cur.amount
      from cur where pools.id = cur.pool_id and cur.amount >= ${minimum}::bigint
      returning cur.amount, cur.team_id
    ), team_grant as (
      update teams set reserved_micros = teams.reserved_micros + granted.amount
      from granted where teams.id = granted.team_id
      returning teams.id
    ), task_grant as (
      update tasks set reserved_micros = tasks.reserved_micros + granted.amount
      from granted where tasks.id = ${r.taskId}::uuid
      returning granted.amount
    )
    select (select amount from task_grant) as granted, cur.pool_available, cur.pool_attainable,
      cur.team_available, cur.team_attainable
    from cur`,
  );
  const [row] = rows;
  if (!row) throw new Error(`unknown task ${r.taskId} in pool ${r.poolId}`);
  if (row.granted !== null) return { kind: "granted", micros: Number(row.granted) };
  const caps = [
    { name: "pool" as const, available: row.pool_available, attainable: row.pool_attainable },
    { name: "team" as const, available: row.team_available, attainable: row.team_attainable },
  ].flatMap((c) =>
    c.available === null || c.attainable === null
      ? []
      : [{ name: c.name, available: Number(c.available), attainable: Number(c.attainable) }],
  );
  return shortOf(caps, minimum);
}
