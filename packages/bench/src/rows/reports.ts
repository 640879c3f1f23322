/**
 * Row 8: spend reports at 10k, 100k and 1M synthetic tasks (90 days, 5 models, 50 users, 20
 * pools), read through `spendReport` (the per-dimension rollups), with the naive GROUP BY over
 * `tasks` beside it in the same run.
 */
import { createDb, spendReport, utcDay } from "@claude-pool/db";
import postgres from "postgres";
import { scratchDatabase } from "../postgres.js";
import type { Benchmark, BenchRow } from "../row.js";
import { formatSpread, type Spread, spread } from "../stats.js";

const DAY = 86_400_000;

export const reportsBenchmark: Benchmark = async (ctx) => {
  const full = ctx.size === "full";
  const levels = full ? [10_000, 100_000, 1_000_000] : [2_000];
  const runs = full ? 21 : 3;
  // The naive query takes seconds at 1M: fewer runs keep the whole `pnpm bench` short.
  const naiveRuns = full ? 5 : 3;
  const scratch = await scratchDatabase(ctx.postgresUrl, "reports");
  const database = await createDb({ url: scratch.url });
  const sql = postgres(scratch.url, { max: 1, onnotice: () => {} });
  const rows: BenchRow[] = [];
  try {
    await sql.unsafe(
      `insert into pools (id, name) select 'pool-' || g, 'pool ' || g from generate_series(1, 20) g`,
    );
    let inserted = 0;
    const from90 = utcDay(new Date(Date.now() - 89 * DAY));
    const from30 = utcDay(new Date(Date.now() - 29 * DAY));
    const to = utcDay(new Date(Date.now() + DAY));
    for (const level of levels) {
      const t = performance.now();
      await loadTasks(sql, inserted, level - inserted);
      ctx.log(
        `reports: loaded ${level - inserted} tasks in ${((performance.now() - t) / 1000).toFixed(1)} s`,
      );
      inserted = level;
      const byDayModel = () =>
        spendReport(database.db, { from: from90, to, bucket: "day", groupBy: "model" });
      const byUser = () => spendReport(database.db, { from: from30, to, bucket: "month", groupBy: "user" });
      const naiveDayModel = () =>
        sql.unsafe(
          `select date_trunc('day', finished_at) d, model, sum(spend_micros) from tasks
           where finished_at >= $1::date and finished_at < $2::date group by 1, 2`,
          [from90, to],
        );
      const naiveUser = () =>
        sql.unsafe(
          `select submitted_by, sum(spend_micros) from tasks
           where finished_at >= $1::date and finished_at < $2::date group by 1`,
          [from30, to],
        );
      const a = await timed(byDayModel, runs);
      const b = await timed(byUser, runs);
      const na = await timed(naiveDayModel, naiveRuns);
      const nb = await timed(naiveUser, naiveRuns);
      const [{ count: rollupRows } = { count: "0" }] = await sql<
        Array<{ count: string }>
      >`select count(*)::text as count from spend_daily_dims`;
      const atTarget = level === 1_000_000;
      rows.push({
        id: 8,
        what: `reports, ${level.toLocaleString("en-US")} tasks (${rollupRows} per-dimension rollup rows)`,
        figure: `day×model 90 d: ${formatSpread(a, 1, " ms")}; user 30 d: ${formatSpread(b, 1, " ms")} (naive GROUP BY: ${formatSpread(na, 0, " ms")} / ${formatSpread(nb, 0, " ms")}; naive ÷ rollups ${(na.median / a.median).toFixed(1)}× / ${(nb.median / b.median).toFixed(1)}×)`,
        target: atTarget ? "p50 < 50 ms on Postgres at 1M" : "reported",
        met: atTarget ? a.median < 50 && b.median < 50 : null,
        note: `p50 (min–max) of ${runs} runs each, naive ${naiveRuns}; spendReport as the API calls it`,
      });
      ctx.log(
        `reports at ${level}: ${a.median.toFixed(1)} / ${b.median.toFixed(1)} ms (naive ${na.median.toFixed(0)} / ${nb.median.toFixed(0)})`,
      );
    }
  } finally {
    await sql.end();
    await database.close();
    await scratch.drop();
  }
  return rows;
};

async function timed(query: () => Promise<unknown>, runs: number): Promise<Spread> {
  await query(); // warm the caches and the plan
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await query();
    times.push(performance.now() - t);
  }
  return spread(times);
}

/**
 * `count` more ended tasks spread over the last 90 days, 5 models, 50 users and 20 pools, with the
 * rollups settlement would have left. Bulk load: the rows are generated into a temporary table
 * (one generate_series), the task table's secondary indexes are dropped during the copy and
 * rebuilt after it, foreign-key triggers are off for it, and the rollups are added from the batch
 * alone (upserts, as settlement does).
 */
async function loadTasks(sql: postgres.Sql, offset: number, count: number): Promise<void> {
  await sql.unsafe("set synchronous_commit = off");
  // Session memory for the bulk statements (the server's defaults are sized for many small
  // sessions): the rollups' GROUP BY over the batch hashes in memory instead of spilling to disk,
  // the index rebuilds sort in memory, and the batch stays in local buffers.
  await sql.unsafe("set work_mem = '256MB'");
  await sql.unsafe("set maintenance_work_mem = '256MB'");
  // No per-row foreign-key triggers during the copy (every pool_id is one of the 20 pools inserted
  // above); the bench connects as the superuser of a scratch database.
  await sql.unsafe("set session_replication_role = replica");
  // Independent pseudo-random dimensions (seeded: the same data every run), so the rollups hold
  // as many day × pool × model × user × slot combinations as real traffic would.
  await sql.unsafe(`select setseed(${offset / (offset + count + 1)})`);
  await sql.unsafe("drop table if exists batch");
  await sql.unsafe(
    `create temp table batch as
     select gen_random_uuid() id, 'pool-' || (1 + (r1 * 20)::int % 20) pool_id,
       (array['completed','completed','completed','failed','cancelled'])[1 + (r2 * 5)::int % 5] status,
       (array['claude-opus-5-5','claude-sonnet-5-5','claude-haiku-5-5','claude-sonnet-4-5','claude-3-5-haiku'])[1 + (r3 * 5)::int % 5] model,
       'user-' || (1 + (r4 * 50)::int % 50) submitted_by, 'slot-' || ((r5 * 8)::int % 8) slot_id,
       500 + (r2 * 20000)::int spend_micros, 100 + (r3 * 900)::int input_tokens, 20 + (r4 * 300)::int output_tokens, f,
       (f at time zone 'UTC')::date d
     from (select random() r1, random() r2, random() r3, random() r4, random() r5,
             now() - random() * interval '90 days' as f
           from generate_series(1, $1::int)) s`,
    [count],
  );
  const indexes = await sql<Array<{ name: string; def: string }>>`
    select indexname as name, indexdef as def from pg_indexes
    where schemaname = 'public' and tablename = 'tasks'
      and indexname not in (select conname from pg_constraint where conrelid = 'tasks'::regclass)`;
  for (const i of indexes) await sql.unsafe(`drop index "${i.name}"`);
  await sql.unsafe(
    `insert into tasks (id, pool_id, prompt, session_mode, status, model, submitted_by, slot_id,
       spend_micros, input_tokens, output_tokens, turns, created_at, started_at, finished_at)
     select id, pool_id, 'synthetic', 'fresh', status, model, submitted_by, slot_id, spend_micros,
       input_tokens, output_tokens, 1, f - interval '30 seconds', f - interval '20 seconds', f
     from batch order by id`,
  );
  for (const i of indexes) await sql.unsafe(i.def);
  const measures = `sum(spend_micros), sum(input_tokens), sum(output_tokens), count(*),
    count(*) filter (where status = 'completed'), count(*) filter (where status = 'failed'),
    count(*) filter (where status = 'cancelled')`;
  const columns =
    "spend_micros, input_tokens, output_tokens, tasks, tasks_completed, tasks_failed, tasks_cancelled";
  const add = columns
    .split(", ")
    .map((c) => `${c} = r.${c} + excluded.${c}`)
    .join(", ");
  // The UTC day once per task (not once per task and dimension in the GROUP BY below).
  const day = "d";
  // spend_daily (which no report reads) holds nearly a row per task at 1M: upserting the batch into
  // it was a third of the load, one conflict check on its six-column key per row. It is rebuilt
  // from all the tasks instead, its key dropped during the insert and built again after it.
  const [pk] = await sql<Array<{ name: string; def: string }>>`
    select conname as name, pg_get_constraintdef(oid) as def from pg_constraint
    where conrelid = 'spend_daily'::regclass and contype = 'p'`;
  if (pk) await sql.unsafe(`alter table spend_daily drop constraint "${pk.name}"`);
  await sql.unsafe("truncate spend_daily");
  await sql.unsafe(
    `insert into spend_daily (day, pool_id, model, user_id, skill, slot_id, ${columns})
     select (finished_at at time zone 'UTC')::date, pool_id, model, submitted_by, '', slot_id, ${measures}
     from tasks group by 1, 2, 3, 4, 6`,
  );
  if (pk) await sql.unsafe(`alter table spend_daily add constraint "${pk.name}" ${pk.def}`);
  await sql.unsafe(
    `insert into spend_daily_tags as r (day, pool_id, tag, ${columns})
     select ${day}, pool_id, '', ${measures} from batch group by 1, 2
     on conflict (day, pool_id, tag) do update set ${add}`,
  );
  await sql.unsafe(
    `insert into spend_daily_dims as r (dimension, day, pool_id, key, ${columns})
     select k.dimension, ${day}, pool_id, k.key, ${measures}
     from batch cross join lateral (values ('model', model), ('user', submitted_by), ('skill', ''),
       ('slot', slot_id)) as k(dimension, key)
     group by 1, 2, 3, 4
     on conflict (dimension, day, pool_id, key) do update set ${add}`,
  );
  // The month rows settlement keeps beside the daily ones: each month of the daily rows (rebuilt
  // from them, so they agree whatever the batches were).
  await sql.unsafe(
    `insert into spend_monthly_dims as r (dimension, month, pool_id, key, ${columns}, day_rows)
     select dimension, date_trunc('month', day::timestamp)::date, pool_id, key, ${columns
       .split(", ")
       .map((c) => `sum(${c})`)
       .join(", ")}, count(*)
     from spend_daily_dims group by 1, 2, 3, 4
     on conflict (dimension, month, pool_id, key) do update set ${columns
       .split(", ")
       .map((c) => `${c} = excluded.${c}`)
       .join(", ")}, day_rows = excluded.day_rows`,
  );
  await sql.unsafe("drop table batch");
  await sql.unsafe("set session_replication_role = default");
  await sql.unsafe("analyze tasks");
  await sql.unsafe("analyze spend_daily");
  await sql.unsafe("analyze spend_daily_dims");
  await sql.unsafe("analyze spend_monthly_dims");
}
