/**
 * A first look at claude-pool: four slots, a fan-out with one failure in it, a budget that refuses
 * once it cannot cover another task, and live progress. Uses the real `claude` when
 * CLAUDE_POOL_BIN points at it, else claude-sim (no credentials, no cost).
 *
 *   pnpm demo                          # claude-sim
 *   CLAUDE_POOL_BIN=claude pnpm demo   # the real CLI (spends up to the $0.50 cap)
 *
 * Its working directory is a fresh temp dir, removed however the demo ends: done, failed, or
 * interrupted (Ctrl-C drains the pool first; a second Ctrl-C stops at once).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { simBinPath, simDirective } from "@claude-pool/claude-sim";
import { BudgetExceeded, ClaudeCliNotFound, Pool, PoolError } from "../src/index.js";

const realBin = process.env.CLAUDE_POOL_BIN;
const usingSim = !realBin;
const cwd = mkdtempSync(path.join(tmpdir(), "claude-pool-demo-"));
process.on("exit", () => rmSync(cwd, { recursive: true, force: true, maxRetries: 3 }));
const sim = (script: Parameters<typeof simDirective>[0]) => (usingSim ? ` ${simDirective(script)}` : "");

let interrupted = false;
let created: Promise<Pool> | undefined;
/** Quiet once interrupted: what is still running settles without a story. */
const say = (...parts: unknown[]) => {
  if (!interrupted) console.log(...parts);
};

process.once("SIGINT", () => {
  interrupted = true;
  console.log("\ninterrupted: draining the pool (Ctrl-C again to stop at once)");
  process.once("SIGINT", () => {
    void (created ?? Promise.reject())
      .then((pool) => pool.shutdown())
      .catch(() => undefined)
      .finally(() => process.exit(130));
  });
  void (created ?? Promise.reject())
    .then((pool) => pool.drain())
    .catch(() => undefined)
    .finally(() => process.exit(130));
});

async function main(): Promise<void> {
  created = Pool.create({
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
      budgetUsd: 0.5,
      taskBudgetUsd: 0.2,
      systemPrompt: "Answer in one short paragraph.",
    },
  });
  const pool = await created;
  say(`claude-pool demo: ${usingSim ? "claude-sim (set CLAUDE_POOL_BIN=claude for the real CLI)" : realBin}`);

  const slotName = new Map((await pool.status()).slots.map((s) => [s.id, s.name]));
  pool.on("event", (e) => {
    const t = new Date().toISOString().slice(11, 23);
    if (e.type === "task.started")
      say(`${t}  ▶ ${e.taskId.slice(-8)} on ${slotName.get(e.slotId) ?? e.slotId}`);
    if (e.type === "task.completed")
      say(`${t}  ✓ ${e.taskId.slice(-8)} $${e.result.spendUsd.toFixed(4)} ${e.result.output.slice(0, 60)}`);
    if (e.type === "task.failed")
      say(`${t}  ✗ ${e.taskId.slice(-8)} ${e.status}: ${e.error.message.slice(0, 80)}`);
  });

  await pool.contextSet("project", "claude-pool demo");
  const haiku = await pool.run(
    `Write a haiku about queues.${sim({ reply: "Tasks wait in a line / four workers take them in turn / the budget holds fast", delayMs: 200, cost: 0.01 })}`,
  );
  say(`\nrun → ${haiku.output}\n`);

  // A fan-out where one prompt fails: its error stays in its own place, the others keep their results.
  const topics = ["parsers", "schedulers", "budgets", "worktrees", "sessions"];
  const results = await pool.fanOut([
    ...topics.map(
      (topic) =>
        `Explain ${topic} in one sentence.${sim({ delayMs: 150 + Math.floor(Math.random() * 300), cost: 0.02 })}`,
    ),
    {
      prompt: `Review this code.${sim({ apiError: 529 })}`,
      // The real CLI has no script: a model that does not exist makes the API refuse this one.
      options: {
        role: "review",
        ...(usingSim ? {} : { config: { model: "claude-pool-demo-no-such-model" } }),
      },
    },
  ]);
  say(`\nfanOut → ${results.filter((r) => r.status === "fulfilled").length}/${results.length} succeeded`);
  for (const r of results)
    if (r.status === "rejected") {
      const code = r.reason instanceof PoolError ? r.reason.code : r.reason.name;
      say(`  failed in place → ${code}: ${r.reason.message.slice(0, 100)}`);
    }

  // Spend what is left, one task at a time, until the budget cannot cover another: it refuses
  // before running (never overrunning the cap) and says what is left.
  say("\nbudget → spending the rest of the $0.50 cap, one task at a time");
  for (let chapter = 1; chapter <= 30; chapter++) {
    try {
      await pool.run(`Summarise chapter ${chapter} of a long book.${sim({ delayMs: 100, cost: 0.08 })}`);
    } catch (err) {
      if (!(err instanceof BudgetExceeded)) throw err;
      const s = await pool.status();
      say(`  refused → ${err.code}: ${err.message}`);
      say(
        `  the cap held: $${err.remainingUsd} left, spent $${s.spendUsd} of $${s.budgetUsd}, nothing overrun`,
      );
      break;
    }
  }

  say("");
  for (const s of (await pool.status()).slots)
    say(
      `  ${s.name.padEnd(9)} ${s.state.padEnd(5)} tasks ${s.tasksCompleted} spend $${s.spendUsd.toFixed(4)}`,
    );
  const summary = await pool.drain();
  say("drain →", summary);
}

/** What went wrong, in a line or two and never a stack trace; exit code 1. */
function report(err: unknown): void {
  process.exitCode = 1;
  if (err instanceof ClaudeCliNotFound && realBin) {
    const where = realBin.includes("/") ? "at that path" : "on PATH and in node_modules/.bin";
    console.error(
      `claude-pool demo: no Claude CLI found for CLAUDE_POOL_BIN="${realBin}" (looked ${where}).`,
    );
    console.error(
      "Install it with `npm i -g @anthropic-ai/claude-code`, or point CLAUDE_POOL_BIN at a claude executable (unset it to use claude-sim).",
    );
  } else if (err instanceof ClaudeCliNotFound) {
    console.error(`claude-pool demo: claude-sim is not built (looked for ${simBinPath}).`);
    console.error("Run `pnpm --filter @claude-pool/claude-sim build`, or `pnpm demo`, which builds it.");
  } else if (err instanceof PoolError) {
    console.error(`claude-pool demo failed: ${err.code}: ${err.message}`);
  } else {
    console.error(`claude-pool demo failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

try {
  await main();
} catch (err) {
  // Interrupted: the SIGINT handler drains and exits; what the drain cut short is not an error.
  if (!interrupted) {
    report(err);
    await created?.then((pool) => pool.shutdown()).catch(() => undefined);
  }
}
