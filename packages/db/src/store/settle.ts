import {
  isCostSample,
  type Micros,
  RECENT_TASK_COSTS,
  type TaskErrorInfo,
  type TaskResult,
  type TaskStatus,
  type TokenUsage,
} from "@claude-pool/core";
import { type SQL, sql } from "drizzle-orm";
import { type Executor, queryRows } from "../executor.js";
import { utcMonthStart } from "./budget.js";

export interface Settlement {
  taskId: string;
  /** The task is settled only if its status is one of these (checked under the row lock). */
  from: TaskStatus[];
  to: TaskStatus;
  spendMicros: Micros;
  tokens: TokenUsage;
  model: string | null;
  turns: number;
  claudeSessionId: string | null;
  result: TaskResult | null;
  error: TaskErrorInfo | null;
  /** For a parked task: when it becomes claimable again. */
  runAfter: Date | null;
  /** When set, a `running` task is settled only if this engine holds it (its lease was not lost). */
  owner: string | null;
  now: SQL;
  channel: string;
}

const TERMINAL = new Set<TaskStatus>(["completed", "failed", "cancelled", "timed_out"]);

/**
 * Settles a task in ONE statement: the task row changes status (if it is still in `from`), its
 * reservation goes back to the pool and its team, its spend moves into the pool's spent total, the
 * team's month and the rollups (`spend_daily`, `spend_daily_tags`, `spend_daily_dims` and its
 * month sums `spend_monthly_dims`: the reports read the last three), a run that ended (completed,
 * or stopped by its budget) adds its spend to the pool's recent task costs, and a NOTIFY is queued
 * for commit. Either all of it happens or none; a second call for a task that already left `from`
 * finds no row and changes nothing. Returns whether it settled.
 */
export async function settleTask(on: Executor, s: Settlement): Promise<boolean> {
  const terminal = TERMINAL.has(s.to);
  const counted = terminal ? 1 : 0;
  const completed = s.to === "completed" ? 1 : 0;
  const failed = s.to === "failed" || s.to === "timed_out" ? 1 : 0;
  const cancelled = s.to === "cancelled" ? 1 : 0;
  const day = sql`((${s.now}) at time zone 'UTC')::date`;
  const month = utcMonthStart(s.now);
  const sample = terminal && isCostSample(s.to, s.error);
  const rows = await queryRows<{ id: string }>(
    on,
    sql`
    with old as (
      select id, reserved_micros from tasks
      where id = ${s.taskId}::uuid and status = any(${sql.raw(pgTextArray(s.from))}::text[])
        and (${s.owner}::text is null or status <> 'running' or engine_id = ${s.owner}::text)
      for update
    ), t as (
      update tasks set
        status = ${s.to}::text,
        reserved_micros = 0,
        spend_micros = tasks.spend_micros + ${s.spendMicros}::bigint,
        input_tokens = tasks.input_tokens + ${s.tokens.input}::bigint,
        output_tokens = tasks.output_tokens + ${s.tokens.output}::bigint,
        cache_read_tokens = tasks.cache_read_tokens + ${s.tokens.cacheRead}::bigint,
        cache_write_tokens = tasks.cache_write_tokens + ${s.tokens.cacheWrite}::bigint,
        model = coalesce(${s.model}::text, tasks.model),
        turns = tasks.turns + ${s.turns}::int,
        claude_session_id = coalesce(${s.claudeSessionId}::text, tasks.claude_session_id),
        result = coalesce(${jsonParam(s.result)}::jsonb, tasks.result),
        error = ${jsonParam(s.error)}::jsonb,
        run_after = ${s.runAfter ? s.runAfter.toISOString() : null}::timestamptz,
        lease_expires_at = null,
        engine_id = case when ${terminal}::boolean then tasks.engine_id else null end,
        finished_at = case when ${terminal}::boolean then ${s.now} else null end
      from old where tasks.id = old.id
      returning tasks.id, tasks.pool_id, tasks.status, old.reserved_micros as released, tasks.model,
        tasks.submitted_by, tasks.skill, tasks.slot_id, tasks.tags
    ), p as (
      update pools set
        reserved_micros = pools.reserved_micros - t.released,
        spent_micros = pools.spent_micros + ${s.spendMicros}::bigint,
        recent_task_costs = case when ${sample}::boolean
          then (array[${s.spendMicros}::bigint] || pools.recent_task_costs)[1:${RECENT_TASK_COSTS}::int]
          else pools.recent_task_costs end,
        updated_at = ${s.now}
      from t where pools.id = t.pool_id
      returning pools.id, pools.team_id, t.released
    ), tm as (
      update teams set
        reserved_micros = greatest(0, teams.reserved_micros - p.released),
        month_spent_micros = ${s.spendMicros}::bigint +
          case when teams.spend_month = ${month} then teams.month_spent_micros else 0 end,
        spend_month = ${month}
      from p where teams.id = p.team_id and (p.released > 0 or ${s.spendMicros}::bigint > 0)
      returning 1
    ), d as (
      insert into spend_daily as r (day, pool_id, model, user_id, skill, slot_id, spend_micros,
        input_tokens, output_tokens, cache_read_tokens, cache_write_tokens,
        tasks, tasks_completed, tasks_failed, tasks_cancelled)
      select ${day}, t.pool_id, coalesce(t.model, ''), coalesce(t.submitted_by, ''),
        coalesce(t.skill, ''), coalesce(t.slot_id, ''), ${s.spendMicros}::bigint,
        ${s.tokens.input}::bigint, ${s.tokens.output}::bigint, ${s.tokens.cacheRead}::bigint,
        ${s.tokens.cacheWrite}::bigint, ${counted}::int, ${completed}::int, ${failed}::int, ${cancelled}::int
      from t
      on conflict (day, pool_id, model, user_id, skill, slot_id) do update set
        ${rollupIncrements}
      returning 1
    ), g as (
      insert into spend_daily_tags as r (day, pool_id, tag, spend_micros,
        input_tokens, output_tokens, cache_read_tokens, cache_write_tokens,
        tasks, tasks_completed, tasks_failed, tasks_cancelled)
      select ${day}, t.pool_id, tg.tag, ${s.spendMicros}::bigint,
        ${s.tokens.input}::bigint, ${s.tokens.output}::bigint, ${s.tokens.cacheRead}::bigint,
        ${s.tokens.cacheWrite}::bigint, ${counted}::int, ${completed}::int, ${failed}::int, ${cancelled}::int
      from t cross join lateral (
        select distinct x as tag
        from unnest(case when cardinality(t.tags) = 0 then array['']::text[] else t.tags end) as x
      ) tg
      on conflict (day, pool_id, tag) do update set
        ${rollupIncrements}
      returning 1
    ), x as (
      insert into spend_daily_dims as r (dimension, day, pool_id, key, spend_micros,
        input_tokens, output_tokens, cache_read_tokens, cache_write_tokens,
        tasks, tasks_completed, tasks_failed, tasks_cancelled)
      select k.dimension, ${day}, t.pool_id, k.key, ${s.spendMicros}::bigint,
        ${s.tokens.input}::bigint, ${s.tokens.output}::bigint, ${s.tokens.cacheRead}::bigint,
        ${s.tokens.cacheWrite}::bigint, ${counted}::int, ${completed}::int, ${failed}::int, ${cancelled}::int
      from t cross join lateral (values ('model', coalesce(t.model, '')), ('user', coalesce(t.submitted_by, '')),
        ('skill', coalesce(t.skill, '')), ('slot', coalesce(t.slot_id, ''))) as k(dimension, key)
      on conflict (dimension, day, pool_id, key) do update set
        ${rollupIncrements}
      returning r.dimension, r.key, r.xmax = 0 as fresh
    ), mo as (
      -- The month's row: the same amounts, and one more daily row if x inserted rather than
      -- updated its row (xmax is 0 only on a newly inserted tuple).
      insert into spend_monthly_dims as r (dimension, month, pool_id, key, spend_micros,
        input_tokens, output_tokens, cache_read_tokens, cache_write_tokens,
        tasks, tasks_completed, tasks_failed, tasks_cancelled, day_rows)
      select x.dimension, ${month}, t.pool_id, x.key,
        ${s.spendMicros}::bigint, ${s.tokens.input}::bigint, ${s.tokens.output}::bigint,
        ${s.tokens.cacheRead}::bigint, ${s.tokens.cacheWrite}::bigint, ${counted}::int,
        ${completed}::int, ${failed}::int, ${cancelled}::int, case when x.fresh then 1 else 0 end
      from x cross join t
      on conflict (dimension, month, pool_id, key) do update set
        ${rollupIncrements}, day_rows = r.day_rows + excluded.day_rows
      returning 1
    )
    select t.id, pg_notify(${s.channel}::text, json_build_object('p', t.pool_id, 'n',
      json_build_object('type', 'task_changed', 'taskId', t.id, 'status', t.status))::text)
    from t`,
  );
  return rows.length > 0;
}

const rollupIncrements = sql.raw(
  [
    "spend_micros",
    "input_tokens",
    "output_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "tasks",
    "tasks_completed",
    "tasks_failed",
    "tasks_cancelled",
  ]
    .map((c) => `${c} = r.${c} + excluded.${c}`)
    .join(", "),
);

function jsonParam(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

/** Status names are a closed set of identifiers; inlined so the array needs no driver-specific binding. */
function pgTextArray(values: TaskStatus[]): string {
  return `array[${values.map((v) => `'${v.replace(/[^a-z_]/g, "")}'`).join(", ")}]`;
}
