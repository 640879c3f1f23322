import type { Benchmark } from "./row.js";
import { reportsBenchmark } from "./rows/reports.js";

/** Every benchmark of `pnpm bench`, in the order of the table. */
export const BENCHMARKS: ReadonlyArray<{ ids: number[]; name: string; run: Benchmark }> = [
  { ids: [8], name: "reports", run: reportsBenchmark },
];
