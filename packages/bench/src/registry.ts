import type { Benchmark } from "./row.js";
import { dispatchBenchmark, persistedDispatch } from "./rows/dispatch.js";
import { engineBenchmark } from "./rows/engine.js";
import { liveStatusBenchmark } from "./rows/live-status.js";
import { realCliBenchmark } from "./rows/real-cli.js";
import { reportsBenchmark } from "./rows/reports.js";
import { scaleBenchmark } from "./rows/scale.js";
import { storageBenchmark } from "./rows/storage.js";
import { webBenchmark } from "./rows/web.js";

/** Every benchmark of `pnpm bench`, in the order of the table. */
export const BENCHMARKS: ReadonlyArray<{
  ids: number[];
  name: string;
  run: Benchmark;
  /** Runs only when `--only` names it (a part of another benchmark, for profiling). */
  onlyWhenNamed?: boolean;
}> = [
  { ids: [1, 2, 4, 5], name: "dispatch", run: dispatchBenchmark },
  // Not part of the full run (dispatch includes them): row 5 alone, for profiling persisted dispatch.
  { ids: [5], name: "persisted", run: persistedDispatch(["postgres", "pglite"]), onlyWhenNamed: true },
  { ids: [5], name: "persisted-pg", run: persistedDispatch(["postgres"]), onlyWhenNamed: true },
  { ids: [3], name: "real-cli", run: realCliBenchmark },
  { ids: [6], name: "scale", run: scaleBenchmark },
  { ids: [7], name: "live-status", run: liveStatusBenchmark },
  { ids: [8], name: "reports", run: reportsBenchmark },
  { ids: [10, 11], name: "engine", run: engineBenchmark },
  { ids: [9], name: "storage", run: storageBenchmark },
  { ids: [12], name: "web", run: webBenchmark },
];
