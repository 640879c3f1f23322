import { readFileSync } from "node:fs";
import type { Machine } from "./machine.js";
import type { BenchRow } from "./row.js";

export interface BenchRun {
  machine: Machine;
  rows: BenchRow[];
  command: string;
  wallSeconds: number;
}

const MARK = { true: "met", false: "**missed**", null: "—" } as const;

/** BENCHMARKS.md: the machine, the command, one table row per figure, then FINDINGS.md. */
export function renderBenchmarks(run: BenchRun): string {
  const m = run.machine;
  const lines = [
    "# Benchmarks",
    "",
    `Command: \`${run.command}\` (packages/bench), ${run.wallSeconds.toFixed(0)} s in all.`,
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, ${m.os}, Postgres ${m.postgres}.`,
    `Commit: ${m.commit}. Run: ${new Date().toISOString()}.`,
    "",
    "Each figure is the median of repeated runs with (min–max) where it says so; every ratio is of",
    "two figures measured in the same run.",
    "",
    "| # | what | figure | target | |  note |",
    "|---|---|---|---|---|---|",
    ...[...run.rows]
      .sort((a, b) => a.id - b.id)
      .map((r) => `| ${r.id} | ${r.what} | ${r.figure} | ${r.target} | ${MARK[`${r.met}`]} | ${r.note} |`),
    "",
    // The profiling findings are prose a person wrote; they survive every rerun of the table.
    readFileSync(new URL("../FINDINGS.md", import.meta.url), "utf8").trimEnd(),
    "",
  ];
  return lines.join("\n");
}
