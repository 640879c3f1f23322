import type { Micros, TaskStatus, TokenUsage } from "@claude-pool/core";
import { and, asc, gte, inArray, isNotNull, lt, type SQL, sql } from "drizzle-orm";
import { type Executor, queryRows } from "./executor.js";
import { type MonthPlan, planMonths } from "./report-months.js";
import { pools, type SpendDimension, tasks } from "./schema/index.js";

export const REPORT_BUCKETS = ["day", "week", "month"] as const;
export type ReportBucket = (typeof REPORT_BUCKETS)[number];
export const REPORT_DIMENSIONS = ["model", "user", "pool", "skill", "tag", "slot"] as const;
export type ReportDimension = (typeof REPORT_DIMENSIONS)[number];

export interface ReportRange {
  /** First UTC day included, `YYYY-MM-DD` (a Date is taken at its UTC day). */
  from: string | Date;
  /** First UTC day NOT included. */
  to: string | Date;
  /** Only these pools (default: all). */
  poolIds?: string[];
  /** Only pools of this team. */
  teamId?: string;
}

export interface ReportQuery extends ReportRange {
  bucket: ReportBucket;
  groupBy: ReportDimension;
}

export interface ReportRow {
  /** First day of the bucket, `YYYY-MM-DD` (weeks start on Monday). */
  period: string;
  /** The group's value; null for "none" (no model known, no user, no skill, untagged, no slot). */
  key: string | null;
  spendMicros: Micros;
  tokens: TokenUsage;
  /** Tasks that ended in the period, by outcome (`failed` includes timed out). */
  tasks: number;
  tasksCompleted: number;
  tasksFailed: number;
  tasksCancelled: number;
}

/**
 * Spend, tokens and task counts per period and group, read from the per-dimension rollups (never
 * from the task table, so it stays fast however many tasks there are: it reads at most days × pools
 * × distinct keys daily rows, and for month buckets mostly one month row per pool and key). By tag,
 * a task with two tags counts under both; every other grouping sums to the pool totals. Rows come
 * by period, then by spend, highest first, then by key.
 *
 * @example
 * await spendReport(db, { from: "2026-01-01", to: "2026-02-01", bucket: "week", groupBy: "model" });
 */
export async function spendReport(db: Executor, query: ReportQuery): Promise<ReportRow[]> {
  // Both end up in the SQL text: only the listed names may pass.
  if (!REPORT_BUCKETS.includes(query.bucket)) {
    throw new RangeError(
      `report bucket: expected one of ${REPORT_BUCKETS.join(", ")}, got ${JSON.stringify(query.bucket)}`,
    );
  }
  if (!REPORT_DIMENSIONS.includes(query.groupBy)) {
    throw new RangeError(
      `report grouping: expected one of ${REPORT_DIMENSIONS.join(", ")}, got ${JSON.stringify(query.groupBy)}`,
    );
  }
  const from = utcDay(query.from);
  const to = utcDay(query.to);
  const poolFilter = poolCondition(sql.raw("r.pool_id"), query);
  const key = sql.raw(query.groupBy === "pool" ? "r.pool_id" : query.groupBy === "tag" ? "r.tag" : "r.key");
  const rows = await queryRows<RawReportRow>(
    db,
    query.groupBy !== "tag" && query.bucket === "month"
      ? byMonth(DIMENSION_ROWS[query.groupBy], key, planMonths(from, to), poolFilter)
      : byDay(query, key, from, to, poolFilter),
  );
  return rows.map((r) => ({
    period: r.period,
    key: r.key === "" ? null : r.key,
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

const SUMS = sql.raw(
  `sum(s.spend)::text as spend, sum(s.input)::text as input, sum(s.output)::text as output,
   sum(s.cache_read)::text as cache_read, sum(s.cache_write)::text as cache_write,
   sum(s.tasks)::text as tasks, sum(s.completed)::text as completed, sum(s.failed)::text as failed,
   sum(s.cancelled)::text as cancelled`,
);

/**
 * Day and week buckets (and tags by month): one dimension's daily rows (tags: their own rollup,
 * same shape; grouping by pool reads the model rows, which sum to the pool's totals). They are
 * summed per day and key first, over plain columns, so the bucket and its text are computed once
 * per day and key rather than once per pool's row (20 pools: 20 times fewer).
 */
function byDay(query: ReportQuery, key: SQL, from: string, to: string, poolFilter: SQL): SQL {
  const source =
    query.groupBy === "tag"
      ? sql`spend_daily_tags r where true`
      : sql`spend_daily_dims r where r.dimension = ${DIMENSION_ROWS[query.groupBy]}`;
  return sql`select to_char(date_trunc(${sql.raw(`'${query.bucket}'`)}, s.day::timestamp), 'YYYY-MM-DD') as period,
      s.key, ${SUMS}
    from (
      select r.day, ${key} as key, sum(r.spend_micros) as spend, sum(r.input_tokens) as input,
        sum(r.output_tokens) as output, sum(r.cache_read_tokens) as cache_read,
        sum(r.cache_write_tokens) as cache_write, sum(r.tasks) as tasks,
        sum(r.tasks_completed) as completed, sum(r.tasks_failed) as failed,
        sum(r.tasks_cancelled) as cancelled
      from ${source} and r.day >= ${from}::date and r.day < ${to}::date ${poolFilter}
      group by r.day, ${key}
    ) s
    group by 1, 2
    order by 1, sum(s.spend) desc, 2`;
}

/**
 * Month buckets: the month rows of the months `plan` reads whole, plus or minus the daily rows it
 * lists. A group is in the report if it has daily rows in the range (`n`: the month row's count of
 * daily rows, plus or minus one per daily row), as when every daily row was read.
 */
function byMonth(dimension: SpendDimension, key: SQL, plan: MonthPlan, poolFilter: SQL): SQL {
  const parts: SQL[] = [];
  if (plan.months.length > 0) {
    parts.push(sql`select r.month as period, ${key} as key, r.spend_micros as spend,
        r.input_tokens as input, r.output_tokens as output, r.cache_read_tokens as cache_read,
        r.cache_write_tokens as cache_write, r.tasks, r.tasks_completed as completed,
        r.tasks_failed as failed, r.tasks_cancelled as cancelled, r.day_rows as n
      from spend_monthly_dims r
      where r.dimension = ${dimension} and r.month in (${sql.join(
        plan.months.map((m) => sql`${m}::date`),
        sql`, `,
      )}) ${poolFilter}`);
  }
  for (const part of plan.daily) {
    // The sign is 1 or -1 (a literal, not a parameter, so the column types stay bigint/integer).
    const sign = sql.raw(part.sign === 1 ? "" : "-");
    parts.push(sql`select ${part.period}::date as period, ${key} as key, ${sign}r.spend_micros as spend,
        ${sign}r.input_tokens as input, ${sign}r.output_tokens as output,
        ${sign}r.cache_read_tokens as cache_read, ${sign}r.cache_write_tokens as cache_write,
        ${sign}r.tasks as tasks, ${sign}r.tasks_completed as completed,
        ${sign}r.tasks_failed as failed, ${sign}r.tasks_cancelled as cancelled, ${sign}1 as n
      from spend_daily_dims r
      where r.dimension = ${dimension} and r.day >= ${part.from}::date and r.day < ${part.to}::date
        ${poolFilter}`);
  }
  if (parts.length === 0)
    parts.push(sql`select null::date as period, null::text as key, null::bigint as spend,
      null::bigint as input, null::bigint as output, null::bigint as cache_read,
      null::bigint as cache_write, null::int as tasks, null::int as completed, null::int as failed,
      null::int as cancelled, null::int as n where false`);
  return sql`select to_char(s.period, 'YYYY-MM-DD') as period, s.key, ${SUMS}
    from (${sql.join(parts, sql` union all `)}) s
    group by s.period, s.key
    having sum(s.n) > 0
    order by s.period, sum(s.spend) desc, s.key`;
}

interface RawReportRow extends Record<string, unknown> {
  period: string;
  key: string;
  spend: string;
  input: string;
  output: string;
  cache_read: string;
  cache_write: string;
  tasks: string;
  completed: string;
  failed: string;
  cancelled: string;
}

/** Which `spend_daily_dims` rows a grouping reads (constants, bound as parameters). */
const DIMENSION_ROWS: Record<Exclude<ReportDimension, "tag">, SpendDimension> = {
  model: "model",
  user: "user",
  pool: "model",
  skill: "skill",
  slot: "slot",
};

function poolCondition(column: SQL, range: ReportRange): SQL {
  const parts: SQL[] = [];
  if (range.poolIds) {
    parts.push(
      range.poolIds.length === 0
        ? sql` and false`
        : sql` and ${column} in (${sql.join(
            range.poolIds.map((id) => sql`${id}`),
            sql`, `,
          )})`,
    );
  }
  if (range.teamId !== undefined) {
    parts.push(sql` and ${column} in (select id from pools where team_id = ${range.teamId})`);
  }
  return sql.join(parts, sql``);
}

/** One ended task, for CSV export. */
export interface TaskSpendRow {
  taskId: string;
  poolId: string;
  status: TaskStatus;
  model: string | null;
  userId: string | null;
  skill: string | null;
  slotId: string | null;
  tags: string[];
  spendMicros: Micros;
  tokens: TokenUsage;
  createdAt: Date;
  finishedAt: Date;
}

/** The tasks that ended in a range (the raw rows behind a report), oldest first. */
export async function spendRows(db: Executor, range: ReportRange): Promise<TaskSpendRow[]> {
  const rows = await db
    .select()
    .from(tasks)
    .where(
      and(
        isNotNull(tasks.finishedAt),
        gte(tasks.finishedAt, new Date(`${utcDay(range.from)}T00:00:00Z`)),
        lt(tasks.finishedAt, new Date(`${utcDay(range.to)}T00:00:00Z`)),
        range.poolIds ? inArray(tasks.poolId, range.poolIds) : undefined,
        range.teamId !== undefined
          ? inArray(
              tasks.poolId,
              db.select({ id: pools.id }).from(pools).where(sql`${pools.teamId} = ${range.teamId}`),
            )
          : undefined,
      ),
    )
    .orderBy(asc(tasks.finishedAt), asc(tasks.seq));
  return rows.flatMap((r) =>
    r.finishedAt
      ? [
          {
            taskId: r.id,
            poolId: r.poolId,
            status: r.status,
            model: r.model,
            userId: r.submittedBy,
            skill: r.skill,
            slotId: r.slotId,
            tags: r.tags,
            spendMicros: r.spendMicros,
            tokens: {
              input: r.inputTokens,
              output: r.outputTokens,
              cacheRead: r.cacheReadTokens,
              cacheWrite: r.cacheWriteTokens,
            },
            createdAt: r.createdAt,
            finishedAt: r.finishedAt,
          },
        ]
      : [],
  );
}

const CSV_HEADER = [
  "task_id",
  "pool_id",
  "status",
  "model",
  "user_id",
  "skill",
  "slot_id",
  "tags",
  "spend_usd",
  "input_tokens",
  "output_tokens",
  "cache_read_tokens",
  "cache_write_tokens",
  "created_at",
  "finished_at",
];

/** RFC 4180 CSV of `spendRows`; money as exact USD decimals (micro-dollars / 10^6). */
export function spendRowsToCsv(rows: TaskSpendRow[]): string {
  const lines = [CSV_HEADER.join(",")];
  for (const r of rows) {
    lines.push(
      [
        r.taskId,
        r.poolId,
        r.status,
        r.model ?? "",
        r.userId ?? "",
        r.skill ?? "",
        r.slotId ?? "",
        r.tags.join(";"),
        microsToDecimal(r.spendMicros),
        r.tokens.input,
        r.tokens.output,
        r.tokens.cacheRead,
        r.tokens.cacheWrite,
        r.createdAt.toISOString(),
        r.finishedAt.toISOString(),
      ]
        .map((v) => csvField(String(v)))
        .join(","),
    );
  }
  return `${lines.join("\r\n")}\r\n`;
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

function microsToDecimal(micros: Micros): string {
  const sign = micros < 0 ? "-" : "";
  const abs = Math.abs(micros);
  return `${sign}${Math.floor(abs / 1_000_000)}.${String(abs % 1_000_000).padStart(6, "0")}`;
}

/** A Date or `YYYY-MM-DD` as a UTC day; anything else is refused. */
export function utcDay(value: string | Date): string {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new RangeError("report range: invalid Date");
    return value.toISOString().slice(0, 10);
  }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw new RangeError(`report range: expected a date as YYYY-MM-DD, got ${JSON.stringify(value)}`);
  }
  return value;
}
