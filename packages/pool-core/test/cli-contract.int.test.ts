import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type MockAnthropic, runClaude, startMockAnthropic } from "@claude-pool/anthropic-mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EFFORTS, PERMISSION_MODES } from "../src/domain/types.js";
import { buildClaudeArgs, type ClaudeInvocation } from "../src/driver/args.js";

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

async function run(args: string[], cwd: string, stdin = everything.prompt) {
  // Asynchronous on purpose: the mock answers from this process's event loop. One config dir per
  // cwd, so a session made by the first run can be resumed by the next.
  const r = await runClaude(mock, args, {
    cwd,
    configDir: path.join(cwd, ".claude-config"),
    timeoutMs: 30_000,
    // The drivers pass the prompt on stdin, never in argv.
    stdin,
  });
  return { status: r.code, stderr: r.stderr, result: r.result, messages: r.messages };
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

  it("accepts the appended prompt as a file, stream-json input and every session flag", async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), "contract-"));
    const file = path.join(cwd, "append.md");
    writeFileSync(file, "You are slot-0.");
    const newId = "0b7f4f0e-5d7a-4b8e-9a51-7d1f0c2e9a01";
    const first = await run(
      buildClaudeArgs({ ...everything, newSessionId: newId }, { appendSystemPromptFile: file }),
      cwd,
    );
    expect(first.stderr).not.toMatch(/unknown option|is invalid|error:/i);
    expect(first.result?.session_id).toBe(newId);
    const assistant = first.messages.findLast((m) => m.type === "assistant");
    const at = String(assistant?.uuid);
    const forkId = "0b7f4f0e-5d7a-4b8e-9a51-7d1f0c2e9a02";
    const forked = await run(
      buildClaudeArgs({
        ...everything,
        config: {},
        resumeSessionId: newId,
        resumeSessionAt: at,
        forkSession: true,
        newSessionId: forkId,
      }),
      cwd,
    );
    expect(forked.stderr).not.toMatch(/unknown option|is invalid|error:/i);
    expect(forked.result?.is_error, JSON.stringify(forked.result)).toBe(false);
    expect(forked.result?.session_id).toBe(forkId);
    const line = JSON.stringify({ type: "user", message: { role: "user", content: "hi" } });
    const streamed = await run(
      buildClaudeArgs({ ...everything, config: {} }, { inputFormat: "stream-json" }),
      cwd,
      `${line}\n`,
    );
    expect(streamed.stderr).not.toMatch(/unknown option|is invalid|error:/i);
    expect(streamed.result?.is_error).toBe(false);
  });

  it("accepts every permission mode and effort the pool's options allow", async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), "contract-"));
    for (const permissionMode of PERMISSION_MODES) {
      const r = await run(buildClaudeArgs({ ...everything, config: { permissionMode } }), cwd);
      expect(r.stderr, permissionMode).not.toMatch(/unknown option|is invalid/i);
      expect(r.result?.is_error, permissionMode).toBe(false);
    }
    for (const effort of EFFORTS) {
      const r = await run(buildClaudeArgs({ ...everything, config: { effort } }), cwd);
      expect(r.stderr, effort).not.toMatch(/Unknown --effort|is invalid/i);
    }
  }, 120_000); // twelve CLI starts, one after the other: on a loaded 2-core machine each takes seconds
});
