import { sql } from "drizzle-orm";
import { type Executor, queryRows } from "../executor.js";

export interface TeamBudgetState {
  /** The team's monthly cap in micro-dollars; null: no cap. */
  capMicros: number | null;
  /** Settled spend of all the team's pools (deleted ones included) in the current UTC month. */
  spentMicros: number;
  /** What the team's pools have reserved for running tasks now. */
  reservedMicros: number;
  /** First day of the month counted, `YYYY-MM-DD`. */
  monthStart: string;
}

/** The team's budget this month, from the daily rollup (kept in the settlement's transaction). */
export async function teamBudgetState(db: Executor, teamId: string): Promise<TeamBudgetState | undefined> {
  const [row] = await queryRows<{
    cap: string | null;
    spent: string;
    reserved: string;
    month_start: string;
  }>(
    db,
    sql`with m as (select date_trunc('month', now() at time zone 'UTC')::date as start)
      select t.monthly_budget_micros::text as cap,
        (select coalesce(sum(d.spend_micros), 0) from spend_daily d
          where d.day >= (select start from m)
            and d.pool_id in (select id from pools where team_id = t.id))::text as spent,
        (select coalesce(sum(p.reserved_micros), 0) from pools p where p.team_id = t.id)::text as reserved,
        to_char((select start from m), 'YYYY-MM-DD') as month_start
      from teams t where t.id = ${teamId}`,
  );
  if (!row) return undefined;
  return {
    capMicros: row.cap === null ? null : Number(row.cap),
    spentMicros: Number(row.spent),
    reservedMicros: Number(row.reserved),
    monthStart: row.month_start,
  };
}
