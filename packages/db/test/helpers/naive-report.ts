import { sql } from "drizzle-orm";
import { type Database, queryRows, type ReportQuery, type ReportRow } from "../../src/index.js";

const NAIVE_KEY: Record<ReportQuery["groupBy"], string> = {
  model: "coalesce(t.model, '')",
  user: "coalesce(t.submitted_by, '')",
  pool: "t.pool_id",
  skill: "coalesce(t.skill, '')",
  tag: "tg.tag",
  slot: "coalesce(t.slot_id, '')",
};

/** The obvious query over the task table that the rollup must agree with. */
export async function naiveReport(database: Database, q: ReportQuery): Promise<ReportRow[]> {
  const tagJoin =
    q.groupBy === "tag"
      ? sql.raw(
          `cross join lateral (select distinct x as tag from unnest(case when cardinality(t.tags) = 0 then array['']::text[] else t.tags end) x) tg`,
        )
      : sql``;
  const rows = await queryRows<Record<string, string>>(
    database.db,
    sql`select to_char(date_trunc(${q.bucket}::text, (t.finished_at at time zone 'UTC')::date::timestamp), 'YYYY-MM-DD') as period,
      ${sql.raw(NAIVE_KEY[q.groupBy])} as key,
      sum(t.spend_micros)::text as spend, sum(t.input_tokens)::text as input, sum(t.output_tokens)::text as output,
      sum(t.cache_read_tokens)::text as cache_read, sum(t.cache_write_tokens)::text as cache_write,
      count(*)::text as tasks, count(*) filter (where t.status = 'completed')::text as completed,
      count(*) filter (where t.status in ('failed', 'timed_out'))::text as failed,
      count(*) filter (where t.status = 'cancelled')::text as cancelled
    from tasks t ${tagJoin}
    where t.finished_at >= ${`${q.from}T00:00:00Z`}::timestamptz and t.finished_at < ${`${q.to}T00:00:00Z`}::timestamptz
      ${q.poolIds ? sql`and t.pool_id = any(${`{${q.poolIds.join(",")}}`}::text[])` : sql``}
    group by 1, 2`,
  );
  return rows.map((r) => ({
    period: r.period ?? "",
    key: r.key === "" || r.key === undefined ? null : r.key,
    spendMicros: Number(r.spend),
    tokens: {
      input: Number(r.input),
      output: Number(r.output),
      cacheRead: Number(r.cache_read),
      cacheWrite: Number(r.cache_write),
    },
    tasks: Number(r.tasks),
    tasksCompleted: Number(r.completed),
    tasksFailed: Number(r.failed),
    tasksCancelled: Number(r.cancelled),
  }));
}

export function sortRows(rows: ReportRow[]): ReportRow[] {
  return [...rows].sort((a, b) =>
    a.period === b.period ? String(a.key).localeCompare(String(b.key)) : a.period.localeCompare(b.period),
  );
}
