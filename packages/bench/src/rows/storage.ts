/**
 * Row 9: bytes a typical streamed task leaves in Postgres (its row, its events, its share of the
 * rollups), and what event pruning takes back. Sizes are of the stored rows (`pg_column_size`),
 * which unlike relation sizes do not depend on when autovacuum last ran.
 */
import { simBinPath, simDirective } from "@claude-pool/claude-sim";
import { Pool } from "@claude-pool/core";
import { createDb, PgStore, pruneTaskEvents } from "@claude-pool/db";
import postgres from "postgres";
import { scratchDatabase } from "../postgres.js";
import type { Benchmark } from "../row.js";
import { simWorkspace } from "../sim.js";

const TABLES = ["tasks", "task_events", "spend_daily", "spend_daily_tags"] as const;

export const storageBenchmark: Benchmark = async (ctx) => {
  const n = ctx.size === "full" ? 40 : 4;
  const scratch = await scratchDatabase(ctx.postgresUrl, "storage");
  const database = await createDb({ url: scratch.url });
  const sql = postgres(scratch.url, { max: 1, onnotice: () => {} });
  try {
    const store = await PgStore.open(database);
    const { cwd, env } = simWorkspace("storage");
    const pool = await Pool.create({ slots: 4, store, claude: { bin: simBinPath, cwd, env } });
    // A typical task: two tool rounds and a 2 KB answer, tagged, about 12 stream lines.
    const typical = simDirective({ toolTurns: 2, outputBytes: 2000, cost: 0.002 });
    await Promise.all(
      Array.from({ length: n }, (_, i) =>
        pool.run(`review file ${i} ${typical}`, { tags: ["bench", `t${i % 3}`] }),
      ),
    );
    await pool.drain();
    await store.close();
    const before = await rowBytes(sql);
    const events = await sql<Array<{ n: string }>>`select count(*)::text as n from task_events`;
    await pruneTaskEvents(database.db, { olderThan: new Date(Date.now() + 60_000) });
    const after = await rowBytes(sql);
    const per = (table: (typeof TABLES)[number], sizes: Record<string, number>) =>
      Math.round((sizes[table] ?? 0) / n);
    const rollup = per("spend_daily", before) + per("spend_daily_tags", before);
    const total = per("tasks", before) + per("task_events", before) + rollup;
    ctx.log(`storage: ${total} B/task before pruning, ${per("tasks", after) + rollup} after`);
    return [
      {
        id: 9,
        what: `storage per typical streamed task (${n} tasks, ${Math.round(Number(events[0]?.n ?? 0) / n)} events each)`,
        figure: `${total} B: row ${per("tasks", before)} + events ${per("task_events", before)} + rollups ${rollup} (shared by a day's tasks); after event pruning ${per("tasks", after) + per("task_events", after) + rollup} B`,
        target: "reported",
        met: null,
        note: "pg_column_size of the stored rows; pruning keeps the task row and every cent",
      },
    ];
  } finally {
    await sql.end();
    await database.close();
    await scratch.drop();
  }
};

async function rowBytes(sql: postgres.Sql): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of TABLES) {
    const [row] = await sql.unsafe<Array<{ bytes: string | null }>>(
      `select sum(pg_column_size(t.*))::text as bytes from ${table} t`,
    );
    out[table] = Number(row?.bytes ?? 0);
  }
  return out;
}
