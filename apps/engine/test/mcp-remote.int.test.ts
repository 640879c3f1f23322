import path from "node:path";
import { simDirective } from "@claude-pool/claude-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TOOL_NAMES } from "../src/mcp/server.js";
import { removeTempDirs, tempDir } from "./helpers/engine-process.js";
import {
  callTool,
  errorText,
  type McpSession,
  readSimLog,
  startMcp,
  structured,
} from "./helpers/mcp-client.js";
import { type OwnedEngine, startOwnedEngine } from "./helpers/owned-engine.js";

/** `claude-pool mcp --url --token` driving a pool of a started engine (claude-sim slots). */
let e: OwnedEngine;
let mcp: McpSession;
let simLog: string;

beforeAll(async () => {
  simLog = path.join(tempDir("sim-log"), "sim.log");
  e = await startOwnedEngine({ env: { CLAUDE_SIM_LOG: simLog } });
  mcp = await startMcp(["--url", e.engine.url, "--token", e.token, "--pool", e.poolName]);
});
afterAll(async () => {
  await mcp?.close();
  await e?.engine.stop();
  removeTempDirs();
});

describe("claude-pool mcp against a running engine", () => {
  it("offers the same tools as the embedded server", async () => {
    const { tools } = await mcp.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([...TOOL_NAMES].sort());
    expect(tools.every((t) => t.outputSchema?.type === "object")).toBe(true);
  });

  it("pool_run runs on the engine's pool and returns the output with spend and model", async () => {
    const { result, progress } = await callTool(mcp.client, "pool_run", {
      prompt: `remote ${simDirective({ reply: "from the engine", cost: 0.001 })}`,
    });
    const out = structured(result);
    expect(out).toMatchObject({ status: "completed", output: "from the engine" });
    expect(out.spend_usd).toBeCloseTo(0.001, 6);
    expect(progress.length).toBeGreaterThan(0);
    // The task is the engine's: the API shows it.
    const task = await e.client.tasks.get.query({ taskId: String(out.task_id) });
    expect(task.status).toBe("completed");
  });

  it("pool_status shows the engine's slots and spend", async () => {
    const status = structured((await callTool(mcp.client, "pool_status", {})).result);
    expect(status.total_slots).toBe(2);
    expect(status.pool).toContain(e.poolName);
    expect(status.spend_usd as number).toBeGreaterThan(0);
  });

  it("pool_fan_out, then pool_submit_chain and pool_chain_result", async () => {
    const fan = structured((await callTool(mcp.client, "pool_fan_out", { prompts: ["x", "y"] })).result) as {
      results: Array<{ output: string }>;
    };
    expect(fan.results.map((r) => r.output)).toEqual(["sim: x", "sim: y"]);
    const { chain_id } = structured(
      (
        await callTool(mcp.client, "pool_submit_chain", {
          steps: [
            { name: "a", type: "prompt", value: "alpha" },
            { name: "b", type: "prompt", value: "beta {previous_output}" },
          ],
        })
      ).result,
    );
    const chain = structured(
      (await callTool(mcp.client, "pool_chain_result", { chain_id, wait: true })).result,
    );
    expect(chain).toMatchObject({ status: "completed", final_output: "sim: beta sim: alpha" });
  });

  it("pool_chain waits for the chain on the engine, with progress notifications while it runs", async () => {
    const { result, progress } = await callTool(mcp.client, "pool_chain", {
      steps: [
        { name: "one", type: "prompt", value: "remote step one" },
        { name: "two", type: "prompt", value: "remote two after {previous_output}" },
      ],
    });
    const chain = structured(result);
    expect(chain.success).toBe(true);
    expect((chain.steps as Array<{ output: string }>).map((s) => s.output)).toEqual([
      "sim: remote step one",
      "sim: remote two after sim: remote step one",
    ]);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((p, i) => i === 0 || p.progress > (progress[i - 1]?.progress ?? 0))).toBe(true);
  });

  it("context_set reaches the next task the engine runs", async () => {
    structured((await callTool(mcp.client, "context_set", { key: "release", value: "v9.9.9" })).result);
    structured((await callTool(mcp.client, "pool_run", { prompt: "which release?" })).result);
    // A slot whose session began before the change gets it at the top of its next prompt.
    const line = readSimLog(simLog).find((l) => String(l.prompt).includes("which release?"));
    expect(`${line?.appendSystemPrompt ?? ""}\n${line?.prompt ?? ""}`).toContain("v9.9.9");
  });

  it("bad arguments are isError naming the field; the engine's refusals keep their words", async () => {
    expect(errorText((await callTool(mcp.client, "pool_run", { prompt: "" })).result)).toContain("at prompt");
    const unknown = errorText(
      (await callTool(mcp.client, "pool_result", { task_id: "no-such-task" })).result,
    );
    expect(unknown).toMatch(/task not found: no-such-task/);
  });

  it("an unknown pool or a bad token is reported by each tool in one line", async () => {
    const wrong = await startMcp([
      "--url",
      e.engine.url,
      "--token",
      "cp_not_a_real_token_000000",
      "--pool",
      "main",
    ]);
    try {
      const text = errorText((await callTool(wrong.client, "pool_status", {})).result);
      expect(text).toContain(`the engine at ${e.engine.url} refused the token`);
      expect(text.split("\n")).toHaveLength(1);
    } finally {
      await wrong.close();
    }
  });
});
