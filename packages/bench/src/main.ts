/**
 * `pnpm bench`: runs every benchmark and rewrites BENCHMARKS.md at the repository root.
 *   --smoke      tiny sizes (what the test runs), prints and writes nothing
 *   --only=a,b   only the named benchmarks (prints; BENCHMARKS.md untouched)
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { describeMachine } from "./machine.js";
import { postgresVersion } from "./postgres.js";
import { BENCHMARKS } from "./registry.js";
import { renderBenchmarks } from "./render.js";
import type { BenchRow, BenchSize } from "./row.js";

const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== "--smoke" && !a.startsWith("--only="));
if (unknown.length > 0) {
  console.error(`bench: unknown argument ${unknown[0]}; usage: bench [--smoke] [--only=name,name]`);
  process.exit(2);
}
const size: BenchSize = args.includes("--smoke") ? "smoke" : "full";
const only = args
  .find((a) => a.startsWith("--only="))
  ?.slice("--only=".length)
  .split(",");
const postgresUrl = process.env.CLAUDE_POOL_BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";

const started = Date.now();
const rows: BenchRow[] = [];
for (const b of BENCHMARKS) {
  if (only ? !only.includes(b.name) : b.onlyWhenNamed) continue;
  const t = Date.now();
  console.log(`\n== ${b.name} (rows ${b.ids.join(", ")})`);
  rows.push(...(await b.run({ size, postgresUrl, log: (line) => console.log(`   ${line}`) })));
  console.log(`   ${((Date.now() - t) / 1000).toFixed(1)} s`);
}
const machine = describeMachine(await postgresVersion(postgresUrl));
const markdown = renderBenchmarks({
  machine,
  rows,
  command: `pnpm bench${size === "smoke" ? " -- --smoke" : ""}`,
  wallSeconds: (Date.now() - started) / 1000,
});
if (size === "full" && !only) {
  const file = path.resolve(import.meta.dirname, "../../../BENCHMARKS.md");
  writeFileSync(file, markdown);
  console.log(`\nwrote ${file}`);
} else {
  console.log(`\n${markdown}`);
}
