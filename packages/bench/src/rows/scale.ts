/**
 * Row 6: how dispatch grows with slots (rows 1 and 4 at 1–32 slots) and with a second engine on
 * one Postgres. One run per point: the table shows the shape, rows 1 and 4 the precise figures.
 */
import type { Benchmark, BenchRow } from "../row.js";
import { bareSpawnLoop } from "../sim.js";
import { poolDispatch } from "./dispatch.js";

export const scaleBenchmark: Benchmark = async (ctx) => {
  const full = ctx.size === "full";
  const slotCounts = full ? [1, 2, 4, 8, 16, 32] : [1, 2];
  const cells: string[] = [];
  let best = { slots: 0, rate: 0 };
  for (const slots of slotCounts) {
    const tasks = full ? Math.max(30, slots * 4) : 4;
    const bare = await bareSpawnLoop(tasks, slots);
    const cold = await poolDispatch(ctx, { tasks, slots, driver: "cold", store: "memory" });
    const alone = await poolDispatch(ctx, {
      tasks: full ? 10_000 : 100,
      slots,
      driver: "in-process",
      store: "memory",
    });
    if (cold > best.rate * 1.05) best = { slots, rate: cold };
    cells.push(`${slots}: ${cold.toFixed(1)} (bare ${bare.toFixed(1)}) / ${alone.toFixed(0)}`);
    ctx.log(
      `scale ${slots} slots: cold ${cold.toFixed(1)} bare ${bare.toFixed(1)} in-process ${alone.toFixed(0)}`,
    );
  }
  const oneEngine = await poolDispatch(ctx, {
    tasks: full ? 3000 : 50,
    slots: 16,
    driver: "in-process",
    store: "postgres",
  });
  const twoEngines = await poolDispatch(ctx, {
    tasks: full ? 3000 : 50,
    slots: 8,
    engines: 2,
    driver: "in-process",
    store: "postgres",
  });
  const rows: BenchRow[] = [
    {
      id: 6,
      what: "scale: slots → cold tasks/s (bare loop at that concurrency) / in-process tasks/s, in-memory store",
      figure: cells.join("; "),
      target: "a table, with where it stops growing",
      met: null,
      note: `cold dispatch stops growing at ~${best.slots} slots: every task is a Node process and the machine has ${(await import("node:os")).cpus().length} cores`,
    },
    {
      id: 6,
      what: "scale: two engines on one Postgres (2 × 8 slots) vs one engine with 16, in-process driver",
      figure: `${twoEngines.toFixed(0)} vs ${oneEngine.toFixed(0)} tasks/s`,
      target: "reported",
      met: null,
      note: "both engines claim from one queue with SKIP LOCKED",
    },
  ];
  return rows;
};
