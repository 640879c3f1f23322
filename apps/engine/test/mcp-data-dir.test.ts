import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { simBinPath, simDirective } from "@claude-pool/claude-sim";
import { describe, expect, it } from "vitest";
import { callTool, errorText, startMcp, structured } from "./helpers/mcp-client.js";

/** The embedded pool with --data-dir keeps its tasks in PGlite across restarts; budget flags apply. */
describe("claude-pool mcp --data-dir and budget flags", () => {
  it("keeps tasks and spend across a restart, and enforces --budget-usd", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "mcp-data-"));
    const dataDir = path.join(dir, "data");
    const args = ["--slots", "1", "--claude-bin", simBinPath, "--data-dir", dataDir, "--budget-usd", "0.03"];
    const env = { CLAUDE_SIM_HOME: path.join(dir, "sim-home") };

    const first = await startMcp(args, env);
    let taskId: unknown;
    try {
      const prompt = `keep me ${simDirective({ cost: 0.02 })}`;
      taskId = structured((await callTool(first.client, "pool_run", { prompt })).result).task_id;
      const status = structured((await callTool(first.client, "pool_status", {})).result);
      expect(status).toMatchObject({ budget_usd: 0.03, spend_usd: 0.02 });
    } finally {
      await first.close();
    }

    const second = await startMcp(args, env);
    try {
      const again = structured((await callTool(second.client, "pool_result", { task_id: taskId })).result);
      expect(again).toMatchObject({ status: "completed", output: "sim: keep me" });
      // $0.02 of $0.03 spent before the restart: the $0.01 left cannot buy a task like the one the
      // pool has learned costs $0.02, so the next one is refused, naming what is left.
      const refused = await callTool(second.client, "pool_run", { prompt: "one too many" });
      expect(errorText(refused.result)).toMatch(/BUDGET_EXCEEDED.*\$0\.01 of \$0\.03 is left/);
    } finally {
      await second.close();
    }
  }, 120_000);
});
