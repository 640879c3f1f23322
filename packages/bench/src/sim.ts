import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { simBinPath } from "@claude-pool/claude-sim";
import { buildClaudeArgs } from "@claude-pool/core";

/** A private claude-sim home and cwd, so runs never share sessions. */
export function simWorkspace(label: string): { cwd: string; env: Record<string, string> } {
  const cwd = mkdtempSync(path.join(os.tmpdir(), `cp-bench-${label}-`));
  return { cwd, env: { CLAUDE_SIM_HOME: path.join(cwd, ".sim") } };
}

/**
 * The physical limit the pool is measured against: the same claude-sim, spawned with the argv the
 * cold driver gives a fresh task (prompt on stdin, appended system prompt from a file), `concurrency`
 * at a time, reading stdout to the end. Returns tasks per second.
 */
export async function bareSpawnLoop(tasks: number, concurrency: number): Promise<number> {
  const { cwd, env } = simWorkspace("bare");
  const promptFile = path.join(cwd, "append.txt");
  writeFileSync(promptFile, 'You are "slot-0" (slot slot-0) of the claude-pool "bench".');
  const args = buildClaudeArgs(
    {
      prompt: "",
      config: {},
      appendSystemPrompt: null,
      resumeSessionId: null,
      maxBudgetUsd: null,
      mcpConfig: {},
      extraArgs: [],
    },
    { appendSystemPromptFile: promptFile },
  );
  const fullEnv = { ...process.env, ...env };
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < tasks) {
      const i = next++;
      await new Promise<void>((resolve, reject) => {
        const child = spawn(simBinPath, args, { cwd, env: fullEnv, stdio: ["pipe", "pipe", "ignore"] });
        child.stdout.on("data", () => {});
        child.on("error", reject);
        child.on("close", () => resolve());
        child.stdin.end(`task ${i}`);
      });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return (tasks / (performance.now() - started)) * 1000;
}
