import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { claudeEnv, startMockAnthropic } from "@claude-pool/anthropic-mock";
import { afterAll, describe, expect, it } from "vitest";

// The demo as a user runs it (`pnpm demo` without the build step): a child process whose temp
// dir is a fresh one, so whatever it leaves behind is visible.
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const DEMO = path.join(ROOT, "packages/pool-core/examples/demo.ts");
const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

interface DemoRun {
  code: number | null;
  stdout: string;
  stderr: string;
  tmp: string;
}

function runDemo(
  env: Record<string, string>,
  onFirstLine?: (send: (s: NodeJS.Signals) => void) => void,
  base: Record<string, string | undefined> = process.env,
) {
  const tmp = mkdtempSync(path.join(tmpdir(), "demo-test-"));
  made.push(tmp);
  const { CLAUDE_POOL_BIN: _ignored, ...inherited } = base;
  const child = spawn(process.execPath, ["--import", "tsx", DEMO], {
    cwd: ROOT,
    env: { ...inherited, TMPDIR: tmp, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let sawLine = false;
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    if (!sawLine && stdout.includes("\n")) {
      sawLine = true;
      onFirstLine?.((s) => child.kill(s));
    }
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise<DemoRun>((resolve) => {
    child.on("close", (code) => resolve({ code, stdout, stderr, tmp }));
  });
}

/** What the demo left in its temp dir (tsx's own compile cache is not the demo's). */
function leftovers(tmp: string): string[] {
  return readdirSync(tmp).filter((name) => !name.startsWith("tsx-"));
}

/** Ours among them: the demo's dir and the pool's prompt files (the real CLI keeps its own there too). */
function oursLeft(tmp: string): string[] {
  return leftovers(tmp).filter((name) => name.startsWith("claude-pool-"));
}

describe.concurrent("the demo", () => {
  it("shows a failure inside a fan-out and a budget refusal, exits 0 and leaves no temp dir", async () => {
    const run = await runDemo({});
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("fanOut → 5/6 succeeded");
    expect(run.stdout).toMatch(/failed in place → TASK_FAILED: .*API Error: 529/);
    expect(run.stdout).toContain(
      "refused → BUDGET_EXCEEDED: the pool's budget cannot cover the task: $0.07 of $0.5 is left even if the running tasks spend nothing more, and a task needs $0.08",
    );
    expect(run.stdout).toContain("the cap held: $0.07 left, spent $0.43 of $0.5, nothing overrun");
    expect(run.stdout).toContain("drain →");
    expect(leftovers(run.tmp)).toEqual([]);
  }, 180_000);

  it("drains and removes its temp dir when interrupted once it has started", async () => {
    const run = await runDemo({}, (send) => send("SIGINT"));
    expect(run.stdout.split("\n")[0]).toMatch(/^claude-pool demo: claude-sim/);
    expect(run.stdout).toContain("interrupted: draining the pool");
    expect(run.stdout).not.toContain("drain →");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(130);
    expect(leftovers(run.tmp)).toEqual([]);
  }, 180_000);

  it("on the real CLI (against the mock API) shows the same two scenes", async () => {
    const mock = await startMockAnthropic();
    // The fan-out's failing prompt asks for a model that does not exist; every answer costs the same.
    mock.script((r) =>
      r.model.includes("no-such-model")
        ? { error: { status: 404, type: "not_found_error", message: `model: ${r.model}` } }
        : {
            text: `answer to: ${r.lastUserText.slice(0, 40)}`,
            usage: { input_tokens: 100, output_tokens: 4000 },
          },
    );
    try {
      const run = await runDemo({ CLAUDE_POOL_BIN: "claude" }, undefined, claudeEnv(mock));
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      expect(run.stdout.split("\n")[0]).toBe("claude-pool demo: claude");
      expect(run.stdout).toContain("fanOut → 5/6 succeeded");
      expect(run.stdout).toMatch(/failed in place → TASK_FAILED: .*\(api_error\)/);
      expect(run.stdout).toMatch(
        /refused → BUDGET_EXCEEDED: the pool's budget cannot cover the task: \$[0-9.]+ of \$0\.5 is left/,
      );
      expect(run.stdout).toMatch(
        /the cap held: \$[0-9.]+ left, spent \$0\.4[0-9]* of \$0\.5, nothing overrun/,
      );
      expect(oursLeft(run.tmp)).toEqual([]);
    } finally {
      await mock.close();
    }
  }, 300_000);

  it("says in two lines what it looked for and how to install when CLAUDE_POOL_BIN names nothing", async () => {
    const run = await runDemo({ CLAUDE_POOL_BIN: "claude-pool-no-such-cli" });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr.trimEnd().split("\n")).toEqual([
      'claude-pool demo: no Claude CLI found for CLAUDE_POOL_BIN="claude-pool-no-such-cli" (looked on PATH and in node_modules/.bin).',
      "Install it with `npm i -g @anthropic-ai/claude-code`, or point CLAUDE_POOL_BIN at a claude executable (unset it to use claude-sim).",
    ]);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(leftovers(run.tmp)).toEqual([]);
  }, 180_000);
});
