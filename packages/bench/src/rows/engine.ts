/**
 * Rows 10 and 11: the engine's start-up to `/healthz` (PGlite and Postgres) and its memory (idle
 * with 32 slots; per slot while 8 tasks stream), measured on the built binary as a user runs it.
 */
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createPoolClient } from "@claude-pool/api";
import { simDirective } from "@claude-pool/claude-sim";
import { createOwner, descendants, rssMb, startEngine } from "../engine.js";
import { scratchDatabase } from "../postgres.js";
import type { Benchmark, BenchRow } from "../row.js";
import { formatSpread, repeat } from "../stats.js";

export const engineBenchmark: Benchmark = async (ctx) => {
  const runs = ctx.size === "full" ? 3 : 1;
  const rows: BenchRow[] = [];
  const cpu: Record<"fresh" | "again" | "pg", number[]> = { fresh: [], again: [], pg: [] };
  // 10. Cold start: a new data directory (migrations included), then a restart on it.
  const fresh = await repeat(runs, async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "cp-bench-start-"));
    const engine = await startEngine(["--data-dir", dir]);
    await engine.stop();
    cpu.fresh.push(engine.readyCpuMs);
    return engine.readyMs;
  });
  const dir = mkdtempSync(path.join(os.tmpdir(), "cp-bench-start-"));
  await (await startEngine(["--data-dir", dir])).stop();
  const again = await repeat(runs, async () => {
    const engine = await startEngine(["--data-dir", dir]);
    await engine.stop();
    cpu.again.push(engine.readyCpuMs);
    return engine.readyMs;
  });
  const scratch = await scratchDatabase(ctx.postgresUrl, "start");
  let pg: Awaited<ReturnType<typeof repeat>>;
  try {
    pg = await repeat(runs, async () => {
      const engine = await startEngine(["--database-url", scratch.url]);
      await engine.stop();
      cpu.pg.push(engine.readyCpuMs);
      return engine.readyMs;
    });
  } finally {
    await scratch.drop();
  }
  rows.push({
    id: 10,
    what: "engine start-up to /healthz ready (spawn of the built binary included)",
    figure: `PGlite new data dir ${formatSpread(fresh, 0, " ms")}, existing ${formatSpread(again, 0, " ms")}; Postgres ${formatSpread(pg, 0, " ms")}`,
    target: "PGlite < 3 s",
    met: again.median < 3000 && fresh.median < 3000,
    note: `a new PGlite directory is copied from the migrated template built with @claude-pool/db; engine CPU until ready (median): new ${median(cpu.fresh)} ms, existing ${median(cpu.again)} ms, Postgres ${median(cpu.pg)} ms`,
  });

  // 11. Memory: idle with a 32-slot pool, then while 8 tasks stream. PGlite (the default) runs
  // Postgres inside the engine's process, so its WASM heap and code are in the engine's RSS; the
  // same idle engine on Postgres shows what the engine's own code costs.
  const pgIdle = await idleOnPostgres(ctx.postgresUrl, ctx.size === "full" ? 3000 : 500);
  const memDir = mkdtempSync(path.join(os.tmpdir(), "cp-bench-mem-"));
  const { token, teamId } = createOwner(["--data-dir", memDir]);
  const engine = await startEngine(["--data-dir", memDir]);
  try {
    const client = createPoolClient({ url: engine.url, token });
    const { poolId } = await client.pools.create.mutate({ teamId, name: "bench", slots: 32, config: {} });
    await new Promise((r) => setTimeout(r, ctx.size === "full" ? 3000 : 500));
    const pid = engine.child.pid as number;
    const idle = rssMb(pid);
    const idleKids = descendants(pid);
    const idleChildren = idleKids.reduce((a, p) => a + safeRss(p), 0);
    const delay = ctx.size === "full" ? 3000 : 800;
    const ids = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        client.tasks.submit
          .mutate({
            poolId,
            prompt: `stream ${i} ${simDirective({ delayMs: delay, toolTurns: 2, outputBytes: 2000 })}`,
          })
          .then((r) => r.taskId),
      ),
    );
    await new Promise((r) => setTimeout(r, delay / 2 + 500));
    const busy = rssMb(pid);
    const kids = descendants(pid);
    const childMb = kids.reduce((a, p) => a + safeRss(p), 0);
    for (const taskId of ids) await client.tasks.result.query({ taskId, wait: true });
    rows.push({
      id: 11,
      what: "engine memory (RSS): idle with one 32-slot pool; while 8 tasks stream",
      figure: `idle ${idle.toFixed(0)} MB on PGlite, ${pgIdle.toFixed(0)} MB on Postgres (+ ${idleChildren.toFixed(0)} MB in ${idleKids.length} idle processes); streaming ${busy.toFixed(0)} MB engine + ${childMb.toFixed(0)} MB in ${kids.length} claude-sim processes (${(childMb / Math.max(1, kids.length)).toFixed(0)} MB each)`,
      target: "idle < 150 MB for the engine itself",
      met: idle < 150,
      note: `PGlite's Postgres (WASM heap, compiled code, its files) is inside the engine's RSS: ~${(idle - pgIdle).toFixed(0)} MB of it is PGlite (the difference), the rest the engine on either; PGlite's WebAssembly runs on Liftoff only (apps/engine/src/v8-flags.ts); warm driver (the default): a slot starts its process with its first task and keeps it; none before`,
    });
  } finally {
    await engine.stop();
  }
  return rows;
};

/** RSS of an idle engine with one 32-slot pool on a scratch Postgres database. */
async function idleOnPostgres(postgresUrl: string, settleMs: number): Promise<number> {
  const scratch = await scratchDatabase(postgresUrl, "mem");
  try {
    const { token, teamId } = createOwner(["--database-url", scratch.url]);
    const engine = await startEngine(["--database-url", scratch.url]);
    try {
      const client = createPoolClient({ url: engine.url, token });
      await client.pools.create.mutate({ teamId, name: "bench", slots: 32, config: {} });
      await new Promise((r) => setTimeout(r, settleMs));
      return rssMb(engine.child.pid as number);
    } finally {
      await engine.stop();
    }
  } finally {
    await scratch.drop();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function safeRss(pid: number): number {
  try {
    return rssMb(pid);
  } catch {
    return 0; // exited meanwhile
  }
}
