/**
 * A first look at claude-pool: four slots, a fan-out, a budget and live progress. Uses the real
 * `claude` when CLAUDE_POOL_BIN points at it, else claude-sim (no credentials, no cost).
 *
 *   pnpm start                         # claude-sim
 *   CLAUDE_POOL_BIN=claude pnpm start  # the real CLI (spends money)
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { simBinPath, simDirective } from "@claude-pool/claude-sim";
import { Pool, PoolError } from "../src/index.js";

const realBin = process.env.CLAUDE_POOL_BIN;
const usingSim = !realBin;
const cwd = mkdtempSync(path.join(tmpdir(), "claude-pool-demo-"));
const sim = (script: Parameters<typeof simDirective>[0]) => (usingSim ? ` ${simDirective(script)}` : "");

const pool = await Pool.create({
  slots: [
    { name: "reviewer", role: "review", description: "Reviews code for bugs" },
    { name: "writer" },
    { name: "tester" },
    { name: "scout" },
  ],
  name: "demo",
  claude: {
    bin: realBin ?? simBinPath,
    cwd,
    env: usingSim ? { CLAUDE_SIM_HOME: path.join(cwd, ".sim") } : {},
  },
  config: {
    model: "sonnet",
    budgetUsd: 1,
    taskBudgetUsd: 0.2,
    systemPrompt: "Answer in one short paragraph.",
  },
});
console.log(
  `claude-pool demo: ${usingSim ? "claude-sim (set CLAUDE_POOL_BIN=claude for the real CLI)" : realBin}`,
);

let lastSpent = -1;
pool.on("event", (e) => {
  const t = new Date().toISOString().slice(11, 23);
  if (e.type === "task.started") console.log(`${t}  ▶ ${e.taskId.slice(-8)} on ${e.slotId}`);
  if (e.type === "task.completed")
    console.log(
      `${t}  ✓ ${e.taskId.slice(-8)} $${e.result.spendUsd.toFixed(4)} ${e.result.output.slice(0, 60)}`,
    );
  if (e.type === "task.failed") console.log(`${t}  ✗ ${e.taskId.slice(-8)} ${e.status}: ${e.error.message}`);
  if (e.type === "budget.updated" && e.spentUsd !== lastSpent) {
    lastSpent = e.spentUsd;
    console.log(`${t}  $ spent ${e.spentUsd.toFixed(4)} of $${e.budgetUsd}`);
  }
});

await pool.contextSet("project", "claude-pool demo");
const haiku = await pool.run(
  `Write a haiku about queues.${sim({ reply: "Tasks wait in a line / four workers take them in turn / the budget holds fast", delayMs: 400, cost: 0.01 })}`,
);
console.log(`\nrun → ${haiku.output}\n`);

const results = await pool.fanOut(
  ["parsers", "schedulers", "budgets", "worktrees", "sessions", "retries"].map(
    (topic) =>
      `Explain ${topic} in one sentence.${sim({ delayMs: 300 + Math.floor(Math.random() * 500), cost: 0.02 })}`,
  ),
);
console.log(
  `\nfanOut → ${results.filter((r) => r.status === "fulfilled").length}/${results.length} succeeded`,
);

try {
  await pool.run(`Review this code.${sim({ apiError: 529 })}`, { role: "review" });
} catch (err) {
  if (err instanceof PoolError) console.log(`typed error → ${err.code}: ${err.message}`);
}

const status = await pool.status();
for (const s of status.slots)
  console.log(
    `  ${s.name.padEnd(9)} ${s.state.padEnd(5)} tasks ${s.tasksCompleted} spend $${s.spendUsd.toFixed(4)}`,
  );
console.log("drain →", await pool.drain());
