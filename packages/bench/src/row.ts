/** One line of BENCHMARKS.md's table. */
export interface BenchRow {
  /** The row number (1–12), to keep the table in the order. */
  id: number;
  what: string;
  figure: string;
  target: string;
  /** null: reported only, no target to meet. */
  met: boolean | null;
  note: string;
}

/** A size for every benchmark: `full` for `pnpm bench`, `smoke` for the test that keeps the harness alive. */
export type BenchSize = "full" | "smoke";

export interface BenchContext {
  size: BenchSize;
  /** Postgres to create scratch databases on (the admin URL of the `test` database). */
  postgresUrl: string;
  log: (line: string) => void;
}

export type Benchmark = (ctx: BenchContext) => Promise<BenchRow[]>;
