/**
 * Pool benchmarks against claude-sim (deterministic, no network). Writes BENCHMARKS.md at the
 * repository root. Run with `pnpm bench`.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { simBinPath, simDirective } from "@claude-pool/claude-sim";
import { BudgetExceeded, Pool } from "../src/index.js";

const root = path.resolve(import.meta.dirname, "../../..");
const rows: Array<[string, string, string]> = [];
const record = (name: string, value: string, note: string) => {
  rows.push([name, value, note]);
  console.log(`${name.padEnd(48)} ${value.padEnd(16)} ${note}`);
};

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
}

function tempEnv() {
  const dir = mkdtempSync(path.join(os.tmpdir(), "pool-bench-"));
  return { dir, env: { CLAUDE_SIM_HOME: path.join(dir, "sim") } };
}

// 1. The fake itself: what one process costs, so the pool's share can be told apart.
{
  const { dir, env } = tempEnv();
  const times: number[] = [];
  for (let i = 0; i < 30; i++) {
    const t = performance.now();
    spawnSync(simBinPath, ["-p", "--output-format=stream-json", "--verbose", "--", "hi"], {
      cwd: dir,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    times.push(performance.now() - t);
  }
  record(
    "claude-sim process, wall (p50 / p95)",
    `${percentile(times, 50).toFixed(0)} / ${percentile(times, 95).toFixed(0)} ms`,
    "30 sequential spawns",
  );
}

// 2. Throughput: many short tasks through N slots.
for (const slots of [1, 4, 8]) {
  const { dir, env } = tempEnv();
  const pool = await Pool.create({
    slots,
    claude: { bin: simBinPath, cwd: dir, env },
    config: { sessionMode: "fresh" },
  });
  const n = 40 * slots;
  const latencies: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const t = performance.now();
      await pool.run(`task ${i}`);
      latencies.push(performance.now() - t);
    }),
  );
  const wall = performance.now() - t0;
  await pool.drain();
  record(
    `throughput, ${slots} slot(s), ${n} tasks`,
    `${((n / wall) * 1000).toFixed(1)} tasks/s`,
    `wall ${(wall / 1000).toFixed(2)} s`,
  );
}

// 3. Pool overhead per task: one slot, tasks that take a fixed 200 ms in the fake.
{
  const { dir, env } = tempEnv();
  const pool = await Pool.create({ slots: 1, claude: { bin: simBinPath, cwd: dir, env } });
  const overheads: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    const r = await pool.run(`t ${simDirective({ delayMs: 200 })}`);
    overheads.push(performance.now() - t - 200);
    void r;
  }
  await pool.drain();
  record(
    "submit→result minus the fake's 200 ms (p50)",
    `${percentile(overheads, 50).toFixed(0)} ms`,
    "includes the sim's process start",
  );
}

// 4. Budget admission under a race: 500 tasks, a cap that fits 50.
{
  const { dir, env } = tempEnv();
  const pool = await Pool.create({
    slots: 8,
    claude: { bin: simBinPath, cwd: dir, env },
    config: { budgetUsd: 5, taskBudgetUsd: 0.1 },
  });
  const t0 = performance.now();
  const settled = await Promise.allSettled(
    Array.from({ length: 500 }, (_, i) => pool.run(`r${i} ${simDirective({ cost: 0.1 })}`)),
  );
  const wall = performance.now() - t0;
  const ok = settled.filter((s) => s.status === "fulfilled").length;
  const refused = settled.filter((s) => s.status === "rejected" && s.reason instanceof BudgetExceeded).length;
  const status = await pool.status();
  await pool.drain();
  record(
    "budget race: 500 tasks, cap fits 50",
    `${ok} ran, ${refused} refused`,
    `spent $${status.spendUsd} of $5 in ${(wall / 1000).toFixed(2)} s`,
  );
}

record(
  "engine RSS after the runs",
  `${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MB`,
  "this process",
);

const cpu = os.cpus()[0]?.model ?? "unknown CPU";
const commit = (() => {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root, encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
})();
const md = `# Benchmarks

Command: \`pnpm bench\` (packages/pool-core/bench/pool.bench.ts), against claude-sim.
Machine: ${cpu}, ${os.cpus().length} cores, ${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}.
Run: ${new Date().toISOString()} at commit ${commit}.

| measure | value | note |
|---|---|---|
${rows.map((r) => `| ${r.join(" | ")} |`).join("\n")}

Reading it: one slot's time per task minus one claude-sim process is what the pool itself costs
per task (queue, budget, stream parsing, persistence in the in-memory store). With more slots the
machine's cores bound the throughput: every task starts a Node process for the fake.
`;
writeFileSync(path.join(root, "BENCHMARKS.md"), md);
console.log("\nwrote BENCHMARKS.md");
