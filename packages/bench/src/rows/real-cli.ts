/**
 * Row 3: a trivial task's submit→result latency through the pool on the real `claude` (2.1.332)
 * against the loopback mock Messages API, beside a raw warm stream-json turn and a cold `claude -p`
 * measured in the same run.
 */
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { claudeBinPath, claudeEnv, runClaude, startMockAnthropic } from "@claude-pool/anthropic-mock";
import { Pool } from "@claude-pool/core";
import type { Benchmark } from "../row.js";
import { formatSpread, spread } from "../stats.js";

export const realCliBenchmark: Benchmark = async (ctx) => {
  const turns = ctx.size === "full" ? 30 : 3;
  const mock = await startMockAnthropic();
  try {
    const temp = () => mkdtempSync(path.join(os.tmpdir(), "cp-bench-cli-"));
    const raw = await rawWarmTurns(claudeEnv(mock, { configDir: temp() }), temp(), turns);
    const cold: number[] = [];
    for (let i = 0; i < Math.min(turns, 10); i++) {
      const run = await runClaude(mock, ["-p", `cold ${i}`, "--output-format", "stream-json", "--verbose"]);
      if (run.result?.is_error !== false) throw new Error(`cold claude -p failed: ${run.stderr}`);
      cold.push(run.durationMs);
    }
    const cwd = temp();
    const pool = await Pool.create({
      slots: 1,
      claude: { bin: claudeBinPath(), cwd, env: claudeEnv(mock, { configDir: temp() }), driver: "warm" },
    });
    const viaPool: number[] = [];
    try {
      await pool.run("warm-up"); // the slot's spawn, paid once
      for (let i = 0; i < turns; i++) {
        const t = performance.now();
        await pool.run(`task ${i}`);
        viaPool.push(performance.now() - t);
      }
    } finally {
      await pool.drain();
    }
    const pool_ = spread(viaPool);
    const warm = spread(raw);
    const coldS = spread(cold);
    const [p, w, c] = [pool_.median, warm.median, coldS.median];
    ctx.log(
      `real CLI: pool ${p.toFixed(1)} ms, raw warm turn ${w.toFixed(1)} ms, cold -p ${c.toFixed(0)} ms`,
    );
    return [
      {
        id: 3,
        what: `trivial task, real claude 2.1.332 + mock API: submit→result p50 over ${turns} tasks (warm driver)`,
        figure: `${formatSpread(pool_, 1, " ms")} vs raw warm turn ${formatSpread(warm, 1, " ms")} = ${(p / w).toFixed(2)}×; cold \`claude -p\` ${formatSpread(coldS, 0, " ms")}`,
        target: "≤ 1.5× the warm turn",
        met: p <= 1.5 * w,
        note: "median (min–max) of the tasks and turns; same mock, same run; the warm slot's first spawn is not counted",
      },
    ];
  } finally {
    await mock.close();
  }
};

/** Turns on one `claude -p --input-format stream-json` process driven by hand: the floor. */
async function rawWarmTurns(env: Record<string, string>, cwd: string, turns: number): Promise<number[]> {
  const child = spawn(
    claudeBinPath(),
    ["-p", "--input-format", "stream-json", "--output-format", "stream-json", "--verbose"],
    { cwd, env, stdio: ["pipe", "pipe", "ignore"] },
  );
  let buffered = "";
  let onResult: (() => void) | null = null;
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    buffered += chunk;
    let nl = buffered.indexOf("\n");
    while (nl >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (line.startsWith('{"type":"result"') || line.includes('"type":"result"')) onResult?.();
      nl = buffered.indexOf("\n");
    }
  });
  const turn = (text: string) =>
    new Promise<number>((resolve) => {
      const t = performance.now();
      onResult = () => resolve(performance.now() - t);
      child.stdin.write(`${JSON.stringify({ type: "user", message: { role: "user", content: text } })}\n`);
    });
  try {
    await turn("warm-up");
    const times: number[] = [];
    for (let i = 0; i < turns; i++) times.push(await turn(`turn ${i}`));
    return times;
  } finally {
    child.stdin.end();
    child.kill("SIGTERM");
  }
}
