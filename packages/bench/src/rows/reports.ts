/**
 * Row 8: spend reports at 10k, 100k and 1M synthetic tasks (90 days, 5 models, 50 users, 20
 * pools), read through `spendReport` (the rollups), with the naive GROUP BY over `tasks` beside it.
 */
import { createDb, spendReport, utcDay } from "@claude-pool/db";
import postgres from "postgres";
import { scratchDatabase } from "../postgres.js";
import type { Benchmark, BenchRow } from "../row.js";
import { percentile } from "../stats.js";

const DAY = 86_400_000;

export const reportsBenchmark: Benchmark = async (ctx) => {
  const levels = ctx.size === "full" ? [10_000, 100_000, 1_000_000] : [2_000];
  const runs = ctx.size === "full" ? 21 : 3;
  const scratch = await scratchDatabase(ctx.postgresUrl, "reports");
  const database = await createDb({ url: scratch.url });
  const sql = postgres(scratch.url, { max: 1, onnotice: () => {} });
  const rows: BenchRow[] = [];
  try {
    await sql.unsafe(
      `insert into pools (id, name) select 'pool-' || g, 'pool ' || g from generate_series(1, 20) g`,
    );
    let inserted = 0;
    const today = utcDay(new Date());
    const from90 = utcDay(new Date(Date.now() - 89 * DAY));
    const from30 = utcDay(new Date(Date.now() - 29 * DAY));
    const to = utcDay(new Date(Date.now() + DAY));
    for (const level of levels) {
      await insertTasks(sql, inserted, level - inserted);
      inserted = level;
      await rebuildRollups(sql);
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
      const a = await timeP50(byDayModel, runs);
      const b = await timeP50(byUser, runs);
      const na = await timeP50(naiveDayModel, runs);
      const nb = await timeP50(naiveUser, runs);
      const [{ count: rollupRows } = { count: "0" }] = await sql<
        Array<{ count: string }>
      >`select count(*)::text as count from spend_daily`;
      const atTarget = level === 1_000_000;
      rows.push({
        id: 8,
        what: `reports, ${level.toLocaleString("en-US")} tasks (${rollupRows} rollup rows, today ${today})`,
        figure: `day×model 90 d: ${a.toFixed(1)} ms; user 30 d: ${b.toFixed(1)} ms (naive GROUP BY: ${na.toFixed(1)} / ${nb.toFixed(1)} ms)`,
        target: atTarget ? "p50 < 50 ms on Postgres at 1M" : "reported",
        met: atTarget ? a < 50 && b < 50 : null,
        note: `p50 of ${runs} runs each`,
      });
      ctx.log(
        `reports at ${level}: ${a.toFixed(1)} / ${b.toFixed(1)} ms (naive ${na.toFixed(1)} / ${nb.toFixed(1)})`,
      );
    }
  } finally {
    await sql.end();
    await database.close();
    await scratch.drop();
  }
  return rows;
};

async function timeP50(query: () => Promise<unknown>, runs: number): Promise<number> {
  await query(); // warm the caches and the plan
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await query();
    times.push(performance.now() - t);
  }
  return percentile(times, 50);
}

/** Ended tasks spread over the last 90 days, 5 models, 50 users and 20 pools. */
async function insertTasks(sql: postgres.Sql, offset: number, count: number): Promise<void> {
  const batch = 100_000;
  for (let start = 0; start < count; start += batch) {
    const n = Math.min(batch, count - start);
    // Independent pseudo-random dimensions (seeded: the same data every run), so the rollups hold
    // as many day × pool × model × user × slot combinations as real traffic would.
    await sql.unsafe(`select setseed(${(offset + start) / (offset + count + 1)})`);
    await sql.unsafe(
      `insert into tasks (id, pool_id, prompt, session_mode, status, model, submitted_by, slot_id,
         spend_micros, input_tokens, output_tokens, turns, created_at, started_at, finished_at)
       select gen_random_uuid(), 'pool-' || (1 + (r1 * 20)::int % 20), 'synthetic', 'fresh',
         (array['completed','completed','completed','failed','cancelled'])[1 + (r2 * 5)::int % 5],
         (array['claude-opus-5-5','claude-sonnet-5-5','claude-haiku-5-5','claude-sonnet-4-5','claude-3-5-haiku'])[1 + (r3 * 5)::int % 5],
         'user-' || (1 + (r4 * 50)::int % 50), 'slot-' || ((r5 * 8)::int % 8),
         500 + (r2 * 20000)::int, 100 + (r3 * 900)::int, 20 + (r4 * 300)::int, 1,
         f - interval '30 seconds', f - interval '20 seconds', f
       from (select g, random() r1, random() r2, random() r3, random() r4, random() r5,
               now() - random() * interval '90 days' as f
             from generate_series($1::int, $2::int) g) s`,
      [offset + start + 1, offset + start + n],
    );
  }
  await sql.unsafe("analyze tasks");
}

/** The rollups as settlement keeps them (one row per day × pool × model × user × skill × slot). */
async function rebuildRollups(sql: postgres.Sql): Promise<void> {
  await sql.unsafe("truncate spend_daily, spend_daily_tags");
  await sql.unsafe(
    `insert into spend_daily (day, pool_id, model, user_id, skill, slot_id, spend_micros, input_tokens,
       output_tokens, tasks, tasks_completed, tasks_failed, tasks_cancelled)
     select (finished_at at time zone 'UTC')::date, pool_id, coalesce(model, ''), coalesce(submitted_by, ''),
       coalesce(skill, ''), coalesce(slot_id, ''), sum(spend_micros), sum(input_tokens), sum(output_tokens),
       count(*), count(*) filter (where status = 'completed'), count(*) filter (where status = 'failed'),
       count(*) filter (where status = 'cancelled')
     from tasks group by 1, 2, 3, 4, 5, 6`,
  );
  await sql.unsafe("analyze spend_daily");
}
