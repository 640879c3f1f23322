import { describe, expect, it } from "vitest";
import { BENCHMARKS } from "../src/registry.js";
import { renderBenchmarks } from "../src/render.js";
import type { BenchRow } from "../src/row.js";

const postgresUrl = process.env.CLAUDE_POOL_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";

// Every benchmark of `pnpm bench` at a tiny size, so the harness cannot rot. Figures are not
// checked (no test asserts a time): only that each row is produced and well formed.
describe("pnpm bench, smoke size", () => {
  const rows: BenchRow[] = [];
  // Benchmarks run only when named (`--only`) are parts of another one, smoked there.
  for (const bench of BENCHMARKS.filter((b) => !b.onlyWhenNamed)) {
    it(`runs ${bench.name} (rows ${bench.ids.join(", ")})`, async () => {
      const produced = await bench.run({ size: "smoke", postgresUrl, log: () => {} });
      expect([...new Set(produced.map((r) => r.id))].sort((a, b) => a - b)).toEqual(bench.ids);
      for (const row of produced) expect(row.figure).not.toMatch(/NaN|undefined|Infinity/);
      rows.push(...produced);
    });
  }

  it("renders BENCHMARKS.md with the machine and one line per figure", () => {
    const md = renderBenchmarks({
      machine: {
        cpu: "cpu",
        cores: 2,
        memoryGiB: 24,
        node: process.version,
        os: "linux",
        postgres: "15",
        commit: "abc",
      },
      rows,
      command: "pnpm bench",
      wallSeconds: 1,
    });
    expect(md).toContain("Machine: cpu, 2 cores");
    expect(md.split("\n").filter((l) => /^\| \d+ \|/.test(l))).toHaveLength(rows.length);
  });
});
