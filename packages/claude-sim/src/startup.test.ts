import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { JSON_OUT, runSim } from "../test/run-sim.js";

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

describe("start-up time", () => {
  it("is reported, not asserted: bare node vs --version vs a full json run", async () => {
    const bare: number[] = [];
    for (let i = 0; i < 7; i++) {
      const t = performance.now();
      spawnSync(process.execPath, ["-e", ""]);
      bare.push(performance.now() - t);
    }
    const time = async (args: string[]) => {
      const samples: number[] = [];
      for (let i = 0; i < 7; i++) samples.push((await runSim(args)).ms);
      return median(samples);
    };
    const version = await time(["--version"]);
    const run = await time([...JSON_OUT, "hello"]);
    console.log(
      `claude-sim median wall time: bare node ${median(bare).toFixed(1)} ms, --version ${version.toFixed(1)} ms, json run ${run.toFixed(1)} ms`,
    );
    expect(run).toBeGreaterThan(0);
  });
});
