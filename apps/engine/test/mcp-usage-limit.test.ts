import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { simBinPath, simDirective } from "@claude-pool/claude-sim";
import { afterAll, beforeAll, expect, it } from "vitest";
import { callTool, type McpSession, startMcp, structured } from "./helpers/mcp-client.js";

/** Issue 12, item 1: a coordinator asking pool_status sees the usage limit and when it resets. */
let mcp: McpSession;

beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "mcp-quota-"));
  mcp = await startMcp(["--slots", "1", "--claude-bin", simBinPath], {
    CLAUDE_SIM_HOME: path.join(dir, "sim-home"),
    CLAUDE_SIM_LOG: path.join(dir, "sim.log"),
  });
});
afterAll(async () => {
  await mcp?.close();
});

it("pool_status reports usage_limit: the reset and the tasks waiting for it; null before", async () => {
  const before = structured((await callTool(mcp.client, "pool_status", {})).result);
  expect(before.usage_limit).toBeNull();
  // Whole seconds, as the CLI reports them; an hour away, so the test never reaches it.
  const resetsAt = new Date(Math.floor(Date.now() / 1000) * 1000 + 3_600_000).toISOString();
  for (const prompt of [`limited ${simDirective({ usageLimit: { resetsAt } })}`, "next", "and next"]) {
    await callTool(mcp.client, "pool_submit", { prompt });
  }
  let status = structured((await callTool(mcp.client, "pool_status", {})).result);
  for (
    let i = 0;
    i < 200 && (status.usage_limit as { parked_tasks: number } | null)?.parked_tasks !== 3;
    i++
  ) {
    await new Promise((r) => setTimeout(r, 50));
    status = structured((await callTool(mcp.client, "pool_status", {})).result);
  }
  expect(status.usage_limit).toEqual({ until: resetsAt, parked_tasks: 3 });
  expect(status.pending_tasks).toBe(3);
});
