import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type MockAnthropic, runClaude, startMockAnthropic } from "@claude-pool/anthropic-mock";
import { simBinPath, simDirective } from "@claude-pool/claude-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mcpCommand } from "./helpers/mcp-client.js";

/**
 * The real `claude` CLI as the coordinating session: the mock Messages API has it call
 * mcp__pool__pool_run; `claude-pool mcp` runs the task on a claude-sim slot; the tool result
 * carrying the slot's output must come back in the coordinator's next API request.
 */
let mock: MockAnthropic;

beforeAll(async () => {
  mock = await startMockAnthropic();
});
afterAll(async () => {
  await mock.close();
});

function flatten(value: unknown): string {
  return JSON.stringify(value);
}

describe("the real claude CLI coordinating through claude-pool mcp", () => {
  it("calls pool_run, and the slot's output reaches the coordinator's next request", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "mcp-coordinator-"));
    const server = mcpCommand(["--slots", "1", "--claude-bin", simBinPath]);
    const config = {
      mcpServers: {
        pool: {
          command: server.command,
          args: server.args,
          env: { CLAUDE_SIM_HOME: path.join(dir, "sim-home") },
        },
      },
    };
    const slotPrompt = `Name a prime ${simDirective({ reply: "slot-output: 7919 is prime", cost: 0.003 })}`;
    mock.enqueue(
      { toolUse: { name: "mcp__pool__pool_run", input: { prompt: slotPrompt } } },
      { text: "The pool says 7919 is prime." },
    );

    const run = await runClaude(
      mock,
      [
        "-p",
        "ask the pool for a prime",
        "--mcp-config",
        JSON.stringify(config),
        "--strict-mcp-config",
        "--allowedTools",
        "mcp__pool__pool_run",
        "--output-format",
        "stream-json",
        "--verbose",
      ],
      { timeoutMs: 90_000 },
    );

    const init = run.messages.find((m) => m.type === "system" && m.subtype === "init");
    expect(flatten(init?.mcp_servers)).toContain('"status":"connected"');
    expect(run.result?.is_error, run.stderr).toBe(false);
    expect(run.result?.result).toBe("The pool says 7919 is prime.");
    expect(run.result?.permission_denials).toEqual([]);

    const requests = mock.messagesRequests();
    expect(requests).toHaveLength(2);
    // The coordinator's first request offered the pool's tools under the CLI's MCP naming.
    expect(flatten(requests[0]?.body)).toContain("mcp__pool__pool_run");
    const toolResult = flatten(requests[1]?.toolResults);
    expect(toolResult).toContain("slot-output: 7919 is prime");
    // The model is shown the structured result: the spend and the model travel with the output.
    expect(toolResult).toContain("spend_usd");
    expect(toolResult).toMatch(/0\.003/);
  }, 120_000);
});
