import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type MockAnthropic, runClaude, startMockAnthropic } from "@claude-pool/anthropic-mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildClaudeArgs, type ClaudeInvocation, EFFORTS, PERMISSION_MODES } from "../src/index.js";

/** Every flag the driver can emit, checked against the real CLI's own parser. */
let mock: MockAnthropic;
beforeAll(async () => {
  mock = await startMockAnthropic();
  // With --json-schema the CLI expects the model to call its StructuredOutput tool.
  mock.script((req) =>
    req.body?.tools?.some((t) => t.name === "StructuredOutput") && req.toolResults.length === 0
      ? { toolUse: { name: "StructuredOutput", input: { answer: "ok" } } }
      : undefined,
  );
});
afterAll(async () => {
  await mock.close();
});

async function run(args: string[], cwd: string) {
  // Asynchronous on purpose: the mock answers from this process's event loop. One config dir per
  // cwd, so a session made by the first run can be resumed by the next.
  const r = await runClaude(mock, args, {
    cwd,
    configDir: path.join(cwd, ".claude-config"),
    timeoutMs: 30_000,
  });
  return { status: r.code, stderr: r.stderr, result: r.result };
}

const everything: ClaudeInvocation = {
  prompt: "-- a prompt that starts with dashes --",
  config: {
    model: "sonnet",
    fallbackModel: "haiku",
    effort: "high",
    permissionMode: "acceptEdits",
    allowedTools: ["Read", "Bash(git status:*)"],
    disallowedTools: ["WebFetch"],
    maxTurns: 3,
    jsonSchema: { type: "object", properties: { answer: { type: "string" } } },
    addDirs: [tmpdir()],
  },
  appendSystemPrompt: "You are slot-0.\n\n- key: value with --dashes",
  resumeSessionId: null,
  maxBudgetUsd: 0.5,
  mcpConfig: {},
  extraArgs: [],
};

describe("the driver's argv against the real CLI parser", () => {
  it("is accepted with every option set, and again when resuming the session", async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), "contract-"));
    const first = await run(buildClaudeArgs(everything), cwd);
    expect(first.stderr).not.toMatch(/unknown option|is invalid|error:/i);
    expect(first.result?.is_error).toBe(false);
    expect(first.status).toBe(0);
    expect(first.result?.structured_output).toEqual({ answer: "ok" });
    const sessionId = String(first.result?.session_id);
    const second = await run(buildClaudeArgs({ ...everything, config: {}, resumeSessionId: sessionId }), cwd);
    expect(second.stderr).not.toMatch(/unknown option|is invalid|error:/i);
    expect(second.result?.session_id).toBe(sessionId);
    expect(second.result?.is_error, JSON.stringify(second.result)).toBe(false);
    expect(second.status).toBe(0);
  });

  it("accepts every permission mode and effort the pool's options allow", async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), "contract-"));
    for (const permissionMode of PERMISSION_MODES) {
      const r = await run(
        buildClaudeArgs({ ...everything, config: { permissionMode }, resumeSessionId: null }),
        cwd,
      );
      expect(r.stderr, permissionMode).not.toMatch(/unknown option|is invalid/i);
      expect(r.result?.is_error, permissionMode).toBe(false);
    }
    for (const effort of EFFORTS) {
      const r = await run(buildClaudeArgs({ ...everything, config: { effort }, resumeSessionId: null }), cwd);
      expect(r.stderr, effort).not.toMatch(/Unknown --effort|is invalid/i);
    }
  });
});
