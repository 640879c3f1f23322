import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { simBinPath, simDirective } from "@claude-pool/claude-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RESOURCE_URIS, TOOL_NAMES } from "../src/mcp/server.js";
import {
  callTool,
  errorText,
  type McpSession,
  readSimLog,
  startMcp,
  structured,
} from "./helpers/mcp-client.js";

/** `claude-pool mcp` with an embedded pool of claude-sim slots, driven by the SDK's stdio client. */
let mcp: McpSession;
let simLog: string;

beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "mcp-embedded-"));
  simLog = path.join(dir, "sim.log");
  mcp = await startMcp(["--slots", "2", "--claude-bin", simBinPath], {
    CLAUDE_SIM_HOME: path.join(dir, "sim-home"),
    CLAUDE_SIM_LOG: simLog,
  });
});
afterAll(async () => {
  await mcp?.close();
});

describe("claude-pool mcp (embedded pool)", () => {
  it("lists every tool of the crate with an input and an output schema, and the four resources", async () => {
    const { tools } = await mcp.client.listTools();
    // DESIGN.md's list (the Rust crate's names), copied here so a rename in the server fails.
    const design = [
      "pool_status",
      "pool_run",
      "pool_submit",
      "pool_result",
      "pool_cancel",
      "pool_fan_out",
      "pool_list_tasks",
      "pool_chain",
      "pool_submit_chain",
      "pool_chain_result",
      "pool_cancel_chain",
      "pool_fan_out_chains",
      "pool_submit_with_review",
      "pool_approve_result",
      "pool_reject_result",
      "pool_configure_slot",
      "pool_drain",
      "pool_skill_list",
      "pool_skill_get",
      "pool_skill_run",
      "pool_skill_add",
      "pool_skill_remove",
      "pool_invoke_workflow",
      "context_set",
      "context_get",
      "context_delete",
      "context_list",
    ];
    expect(tools.map((t) => t.name).sort()).toEqual([...design].sort());
    expect([...TOOL_NAMES].sort()).toEqual([...design].sort());
    for (const tool of tools) {
      expect(tool.inputSchema.type, tool.name).toBe("object");
      expect(tool.outputSchema?.type, tool.name).toBe("object");
      expect(tool.description, tool.name).toBeTruthy();
    }
    const run = tools.find((t) => t.name === "pool_run");
    expect(run?.inputSchema.required).toEqual(["prompt"]);
    expect(Object.keys(run?.outputSchema?.properties ?? {})).toEqual(
      expect.arrayContaining(["output", "spend_usd", "tokens", "model"]),
    );
    const { resources } = await mcp.client.listResources();
    expect(resources.map((r) => r.uri).sort()).toEqual(
      ["pool://budget", "pool://context", "pool://slots", "pool://status"].sort(),
    );
    expect([...RESOURCE_URIS].sort()).toEqual(resources.map((r) => r.uri).sort());
  });

  it("pool_run returns the slot's output, spend, tokens and model, with progress while it waits", async () => {
    const { result, progress } = await callTool(mcp.client, "pool_run", {
      prompt: `say it ${simDirective({ reply: "the answer is 42", cost: 0.002 })}`,
    });
    const out = structured(result);
    expect(out.output).toBe("the answer is 42");
    expect(out.status).toBe("completed");
    expect(out.spend_usd).toBeCloseTo(0.002, 6);
    expect((out.tokens as { output: number }).output).toBeGreaterThan(0);
    expect(typeof out.model).toBe("string");
    expect(out.turns).toBe(1);
    // The text content carries the same JSON, for clients that ignore structured content.
    expect(JSON.parse((result.content[0] as { text: string }).text)).toEqual(out);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.map((p) => p.message).join("\n")).toMatch(/queued as task/);
  });

  it("pool_status shows the slots, the queue and the spend so far", async () => {
    const status = structured((await callTool(mcp.client, "pool_status", {})).result);
    expect(status.total_slots).toBe(2);
    expect((status.slots as Array<{ id: string }>).map((s) => s.id)).toEqual(["slot-0", "slot-1"]);
    expect(status.pending_tasks).toBe(0);
    expect(status.spend_usd as number).toBeGreaterThan(0);
    const resource = await mcp.client.readResource({ uri: "pool://budget" });
    const budget = JSON.parse((resource.contents[0] as { text: string }).text);
    expect(budget.spend_usd).toBe(status.spend_usd);
  });

  it("pool_fan_out settles every prompt in order; a crash keeps its place and the others their output", async () => {
    const { result, progress } = await callTool(mcp.client, "pool_fan_out", {
      prompts: ["first", `second ${simDirective({ crash: true })}`, "third"],
    });
    const out = structured(result) as {
      results: Array<{ status: string; output: string | null; error: { code: string } | null }>;
      completed: number;
      failed: number;
    };
    expect(out.results.map((r) => r.status)).toEqual(["completed", "failed", "completed"]);
    expect(out.results[0]?.output).toBe("sim: first");
    expect(out.results[2]?.output).toBe("sim: third");
    expect(out.results[1]?.error?.code).toBe("TASK_FAILED");
    expect([out.completed, out.failed]).toEqual([2, 1]);
    expect(progress.some((p) => p.total === 3)).toBe(true);
  });

  it("pool_submit_chain then pool_chain_result: each step sees the previous output", async () => {
    const submitted = structured(
      (
        await callTool(mcp.client, "pool_submit_chain", {
          steps: [
            { name: "draft", type: "prompt", value: "draft a title" },
            { name: "polish", type: "prompt", value: "polish: {previous_output}" },
          ],
        })
      ).result,
    );
    expect(submitted.chain_id).toEqual(expect.any(String));
    const { result } = await callTool(mcp.client, "pool_chain_result", {
      chain_id: submitted.chain_id,
      wait: true,
    });
    const chain = structured(result);
    expect(chain.status).toBe("completed");
    expect(chain.completed).toEqual(["draft", "polish"]);
    expect(chain.final_output).toBe("sim: polish: sim: draft a title");
  });

  it("pool_chain waits for the end and reports per-step progress", async () => {
    const { result, progress } = await callTool(mcp.client, "pool_chain", {
      steps: [
        { name: "one", type: "prompt", value: "step one" },
        { name: "two", type: "prompt", value: "step two after {previous_output}" },
      ],
    });
    const chain = structured(result);
    expect(chain.success).toBe(true);
    expect((chain.steps as Array<{ output: string }>).map((s) => s.output)).toEqual([
      "sim: step one",
      "sim: step two after sim: step one",
    ]);
    // Step progress carries the step count; how many steps had ended when each was sent varies.
    expect(progress.some((p) => p.total === 2)).toBe(true);
    // As MCP requires, each notification's progress exceeds the one before.
    expect(progress.every((p, i) => i === 0 || p.progress > (progress[i - 1]?.progress ?? 0))).toBe(true);
  });

  it("context_set reaches the next task's system prompt", async () => {
    structured((await callTool(mcp.client, "context_set", { key: "ticket", value: "SEC-1234" })).result);
    const got = structured((await callTool(mcp.client, "context_get", { key: "ticket" })).result);
    expect(got).toEqual({ key: "ticket", value: "SEC-1234", found: true });
    structured((await callTool(mcp.client, "pool_run", { prompt: "which ticket?" })).result);
    // A slot whose session began before the change gets it at the top of its next prompt (the CLI
    // keeps a resumed session's first system prompt); a new session gets it in the system prompt.
    const line = readSimLog(simLog).find((l) => String(l.prompt).includes("which ticket?"));
    expect(`${line?.appendSystemPrompt ?? ""}\n${line?.prompt ?? ""}`).toContain("SEC-1234");
    const list = structured((await callTool(mcp.client, "context_list", {})).result);
    expect(list.context).toEqual({ ticket: "SEC-1234" });
  });

  it("pool_submit then pool_result with wait; pool_list_tasks shows it", async () => {
    const { task_id } = structured(
      (await callTool(mcp.client, "pool_submit", { prompt: "background" })).result,
    );
    const done = structured((await callTool(mcp.client, "pool_result", { task_id, wait: true })).result);
    expect(done).toMatchObject({ task_id, status: "completed", output: "sim: background" });
    const listed = structured((await callTool(mcp.client, "pool_list_tasks", { limit: 3 })).result) as {
      tasks: Array<{ task_id: string }>;
    };
    expect(listed.tasks[0]?.task_id).toBe(task_id);
  });

  it("a failed pool_run is an error saying why", async () => {
    const { result } = await callTool(mcp.client, "pool_run", {
      prompt: `fail ${simDirective({ apiError: 529 })}`,
    });
    expect(errorText(result)).toMatch(/ended failed: TASK_FAILED: .*529/);
  });

  it("bad arguments come back as isError naming the field", async () => {
    const wrongType = errorText((await callTool(mcp.client, "pool_run", { prompt: 42 })).result);
    expect(wrongType).toContain("must be a non-empty string, not the number 42 at prompt");
    const missing = errorText((await callTool(mcp.client, "pool_result", {})).result);
    expect(missing).toContain("is required (a task id) at task_id");
    const typo = errorText((await callTool(mcp.client, "pool_run", { prompt: "x", modle: "haiku" })).result);
    expect(typo).toContain('unknown field "modle"');
    const badStep = errorText(
      (await callTool(mcp.client, "pool_chain", { steps: [{ name: "a", type: "shell", value: "ls" }] }))
        .result,
    );
    expect(badStep).toContain('must be one of prompt, skill, not the string "shell" at steps[0].type');
    const unknownTask = errorText((await callTool(mcp.client, "pool_result", { task_id: "nope" })).result);
    expect(unknownTask).toMatch(/TASK_NOT_FOUND: .*nope/);
    // A pool-core refusal names its field too.
    const slot = errorText((await callTool(mcp.client, "pool_run", { prompt: "x", slot: "slot-9" })).result);
    expect(slot).toMatch(/SLOT_NOT_FOUND: .*slot-9/);
  });

  it("logs only to stderr: stdout stayed pure protocol through all of the above", () => {
    // Any stray stdout line would have broken the client's JSON-RPC parsing and failed the calls above.
    expect(mcp.stderr()).toMatch(/ready: embedded pool \(2 slots\)/);
  });
});
