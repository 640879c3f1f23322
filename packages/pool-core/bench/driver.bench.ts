/**
 * Warm turn vs cold spawn, per driver, on claude-sim and on the real CLI against the mock API.
 * `node --import tsx packages/pool-core/bench/driver.bench.ts [turns]` (build claude-sim first).
 * Prints p50/p90 wall time per task, measured around SlotDriver.run.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { claudeBinPath, claudeEnv, startMockAnthropic } from "@claude-pool/anthropic-mock";
import { simBinPath } from "@claude-pool/claude-sim";
import { createDriver } from "../src/driver/index.js";
import type { DriverKind } from "../src/driver/port.js";
import type { RunRequest } from "../src/driver/run.js";

const turns = Number(process.argv[2] ?? 20);

function request(
  bin: string,
  env: Record<string, string>,
  cwd: string,
  prompt: string,
  session: string | null,
): RunRequest {
  return {
    bin,
    cwd,
    env,
    invocation: {
      prompt,
      config: {},
      appendSystemPrompt: "You are slot-0.",
      resumeSessionId: session,
      maxBudgetUsd: null,
      mcpConfig: {},
      extraArgs: [],
    },
    timeoutMs: null,
    stopAboveMicros: null,
    signal: new AbortController().signal,
    onLine: () => {},
  };
}

async function measure(
  kind: DriverKind,
  bin: string,
  env: Record<string, string>,
  cwd: string,
): Promise<number[]> {
  const driver = createDriver(kind);
  const slot = driver.slot("s0");
  const times: number[] = [];
  let session: string | null = null;
  for (let i = 0; i < turns + 1; i++) {
    const t0 = performance.now();
    const out = await slot.run(request(bin, env, cwd, `task ${i}`, session));
    const ms = performance.now() - t0;
    if (out.result?.is_error !== false)
      throw new Error(`${kind} task ${i} failed: ${JSON.stringify(out.result)}`);
    session = out.sessionId;
    if (i > 0)
      times.push(ms); // the first warm turn pays the spawn: reported apart
    else console.log(`  ${kind}: first task ${ms.toFixed(0)} ms`);
  }
  await driver.close();
  return times;
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
}

async function main(): Promise<void> {
  const mock = await startMockAnthropic();
  const targets = [
    {
      name: "claude-sim",
      bin: simBinPath,
      env: (dir: string) => ({ PATH: process.env.PATH ?? "", CLAUDE_SIM_HOME: dir }),
    },
    {
      name: "real CLI 2.1.332 + mock API",
      bin: claudeBinPath(),
      env: (dir: string) => claudeEnv(mock, { configDir: dir }),
    },
  ];
  for (const t of targets) {
    console.log(`${t.name} (${turns} sequential tasks after the first, one slot)`);
    for (const kind of ["cold", "warm"] as const) {
      const dir = mkdtempSync(path.join(tmpdir(), "driver-bench-"));
      const times = await measure(kind, t.bin, t.env(dir), dir);
      console.log(`  ${kind}: p50 ${pct(times, 50).toFixed(1)} ms, p90 ${pct(times, 90).toFixed(1)} ms`);
    }
  }
  await mock.close();
}

await main();
