import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DUMMY_API_KEY } from "./env.js";
import {
  type MockAnthropic,
  type MockUsage,
  type RunClaudeOptions,
  type RunClaudeResult,
  runClaude as runClaudeOnce,
  startMockAnthropic,
} from "./index.js";

// The real claude 2.1.332 binary against the mock. Each run takes about 0.6-0.9 s here.

const STREAM_JSON = ["--output-format", "stream-json", "--verbose"];
// claude-cli.md checked the CLI's price table for this model: $3/M in, $15/M out, 1.25x cache write, 0.1x read.
const PRICED_MODEL = "claude-sonnet-4-5";

function sonnet45Cost(usage: Required<MockUsage>): number {
  return (
    usage.input_tokens * 3e-6 +
    usage.output_tokens * 15e-6 +
    usage.cache_creation_input_tokens * 3.75e-6 +
    usage.cache_read_input_tokens * 0.3e-6
  );
}

function messageTypes(run: RunClaudeResult): string[] {
  return run.messages.map((m) => (typeof m.subtype === "string" ? `${m.type}/${m.subtype}` : String(m.type)));
}

let mock: MockAnthropic;
const tempDirs = new Set<string>();

/** `runClaude`, remembering the temp dirs it made so they are removed after the test. */
async function runClaude(
  target: MockAnthropic,
  args: readonly string[],
  options?: RunClaudeOptions,
): Promise<RunClaudeResult> {
  const run = await runClaudeOnce(target, args, options);
  tempDirs.add(run.cwd).add(run.configDir);
  return run;
}

beforeEach(async () => {
  mock = await startMockAnthropic();
});

afterEach(async () => {
  await mock.close();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
});

describe("a plain run", () => {
  it("streams init, assistant and a result whose usage and cost come from the mock", async () => {
    const usage = {
      input_tokens: 1234,
      output_tokens: 56,
      cache_creation_input_tokens: 789,
      cache_read_input_tokens: 4321,
    };
    mock.enqueue({ text: "Scripted answer.", usage });
    const run = await runClaude(mock, ["-p", "say hi", "--model", PRICED_MODEL, ...STREAM_JSON]);

    expect(run.code).toBe(0);
    expect(messageTypes(run)).toEqual(["system/init", "assistant", "result/success"]);
    expect(run.result).toMatchObject({
      is_error: false,
      result: "Scripted answer.",
      num_turns: 1,
      stop_reason: "end_turn",
      usage,
      modelUsage: {
        [PRICED_MODEL]: {
          inputTokens: usage.input_tokens,
          outputTokens: usage.output_tokens,
          cacheCreationInputTokens: usage.cache_creation_input_tokens,
          cacheReadInputTokens: usage.cache_read_input_tokens,
        },
      },
    });
    expect(run.result?.total_cost_usd).toBeCloseTo(sonnet45Cost(usage), 9);
  });

  it("sends one main-conversation request shaped as claude-cli.md says", async () => {
    const run = await runClaude(mock, ["-p", "say hi", ...STREAM_JSON]);
    expect(run.result).toMatchObject({ is_error: false, result: "Hello from mock (claude-opus-5-5)." });

    expect(mock.requests).toHaveLength(1);
    const [request] = mock.messagesRequests();
    expect(request).toMatchObject({
      method: "POST",
      path: "/v1/messages",
      query: { beta: "true" },
      requestClass: "main",
      model: "claude-opus-5-5",
      lastUserText: "say hi",
    });
    expect(request?.headers["x-api-key"]).toBe(DUMMY_API_KEY);
    expect(request?.headers["user-agent"]).toBe("claude-cli/2.1.332 (external, sdk-cli)");
    expect(request?.headers["x-claude-code-session-id"]).toBe(run.result?.session_id);
    expect(request?.body?.stream).toBe(true);
    expect(request?.systemText).toContain("You are a Claude agent, built on Anthropic's Claude Agent SDK.");
    expect(request?.body?.tools?.map((tool) => tool.name)).toEqual(expect.arrayContaining(["Bash", "Write"]));
  });

  it("puts --append-system-prompt into the system blocks", async () => {
    const marker = "Always answer in haiku. MARKER-7f3a";
    await runClaude(mock, ["-p", "hi", "--append-system-prompt", marker, ...STREAM_JSON]);
    expect(mock.lastRequest()?.systemText).toContain(marker);
  });
});

describe("sessions", () => {
  it("sends the first conversation again on --resume, under the same session id", async () => {
    mock.enqueue({ text: "First answer." });
    const first = await runClaude(mock, ["-p", "first prompt", ...STREAM_JSON]);
    const sessionId = first.result?.session_id;
    expect(typeof sessionId).toBe("string");

    const second = await runClaude(
      mock,
      ["-p", "second prompt", "--resume", String(sessionId), ...STREAM_JSON],
      {
        configDir: first.configDir,
        cwd: first.cwd,
      },
    );
    expect(second.result).toMatchObject({ is_error: false, session_id: sessionId });

    const resumed = mock.lastRequest();
    const history = (resumed?.body?.messages ?? []).map((message) => JSON.stringify(message.content));
    expect(history.some((content) => content.includes("first prompt"))).toBe(true);
    expect(history.some((content) => content.includes("First answer."))).toBe(true);
    expect(resumed?.lastUserText).toBe("second prompt");
    // The cost on resume is cumulative for the session.
    expect(second.result?.total_cost_usd).toBeCloseTo(2 * Number(first.result?.total_cost_usd), 9);
  });
});

describe("tools", () => {
  it("runs a scripted Write under acceptEdits and reports the tool_result back", async () => {
    mock.enqueue(
      { toolUse: { name: "Write", input: { file_path: "hello.txt", content: "written by the mock\n" } } },
      { text: "File written." },
    );
    const run = await runClaude(mock, ["-p", "write it", "--permission-mode", "acceptEdits", ...STREAM_JSON]);

    expect(run.result).toMatchObject({ is_error: false, result: "File written.", num_turns: 2 });
    expect(readFileSync(join(run.cwd, "hello.txt"), "utf8")).toBe("written by the mock\n");
    const [, followUp] = mock.messagesRequests();
    expect(followUp?.toolResults).toEqual([
      expect.objectContaining({ type: "tool_result", tool_use_id: "toolu_mock_1" }),
    ]);
    expect(followUp?.toolResults[0]?.is_error).not.toBe(true);
  });

  it("answers by matcher: a tool call first, text once the tool result comes back", async () => {
    mock.script((request) =>
      request.toolResults.length > 0
        ? { text: `saw ${request.toolResults.length} result` }
        : { toolUse: { name: "Bash", input: { command: "echo hello-from-bash", description: "Echo" } } },
    );
    const run = await runClaude(mock, ["-p", "go", "--allowedTools", "Bash(echo:*)", ...STREAM_JSON]);
    expect(run.result).toMatchObject({ is_error: false, result: "saw 1 result" });
    expect(mock.lastRequest()?.toolResults[0]).toMatchObject({ content: "hello-from-bash" });
  });
});

describe("API errors (CLAUDE_CODE_MAX_RETRIES=0)", () => {
  it.each([
    ["mock failure", "Failed to authenticate. API Error: 401 mock failure"],
    // The CLI recognises the real API's wording and replaces it with its own hint.
    ["invalid x-api-key", "Invalid API key · Fix external API key"],
  ])("turns a 401 (%s) into an is_error result with the CLI's message", async (message, result) => {
    mock.enqueue({ error: { status: 401, message } });
    const run = await runClaude(mock, ["-p", "hi", ...STREAM_JSON]);
    expect(run.code).toBe(1);
    expect(run.result).toMatchObject({
      subtype: "success",
      is_error: true,
      api_error_status: 401,
      api_error_type: "authentication_error",
      result,
    });
  });

  it("gives up on a 429 after one request", async () => {
    mock.enqueue({ error: { status: 429, message: "slow down" } });
    const run = await runClaude(mock, ["-p", "hi", ...STREAM_JSON]);
    expect(mock.requests).toHaveLength(1);
    expect(run.result).toMatchObject({
      is_error: true,
      api_error_status: 429,
      api_error_type: "rate_limit_error",
      result: "API Error: Request rejected (429) · slow down",
    });
  });

  it("gives up on a 529 after one request", async () => {
    mock.enqueue({ error: { status: 529, message: "busy" } });
    const run = await runClaude(mock, ["-p", "hi", ...STREAM_JSON]);
    expect(mock.requests).toHaveLength(1);
    expect(run.result).toMatchObject({
      is_error: true,
      api_error_status: 529,
      api_error_type: "overloaded_error",
    });
    expect(run.result?.result).toMatch(/^API Error: 529 busy\. This is a server-side issue/);
  });

  it("retries a 529 when retries are allowed, and says so in an api_retry line", async () => {
    mock.enqueue({ error: { status: 529, message: "busy" } }, { text: "second time lucky" });
    const run = await runClaude(mock, ["-p", "hi", ...STREAM_JSON], { maxRetries: 1 });
    expect(mock.requests).toHaveLength(2);
    expect(messageTypes(run)).toContain("system/api_retry");
    expect(run.result).toMatchObject({ is_error: false, result: "second time lucky" });
  });
});

describe("limits", () => {
  it("stops with error_max_budget_usd once one call has spent more than --max-budget-usd", async () => {
    const run = await runClaude(mock, ["-p", "hi", "--max-budget-usd", "0.0001", ...STREAM_JSON]);
    expect(run.code).toBe(1);
    expect(run.result).toMatchObject({
      subtype: "error_max_budget_usd",
      is_error: true,
      terminal_reason: "budget_exhausted",
      errors: ["Reached maximum budget ($0.0001)"],
    });
  });
});

describe("slowness", () => {
  it("shows a delay before the first byte in the run's API time", async () => {
    mock.enqueue({ text: "late", delayMs: 600 });
    const run = await runClaude(mock, ["-p", "hi", ...STREAM_JSON]);
    expect(run.result).toMatchObject({ is_error: false, result: "late" });
    expect(Number(run.result?.duration_api_ms)).toBeGreaterThanOrEqual(600);
  });

  it("times out on a hanging response when API_TIMEOUT_MS is short", async () => {
    mock.enqueue({ hang: true });
    const run = await runClaude(mock, ["-p", "hi", ...STREAM_JSON], { extra: { API_TIMEOUT_MS: "500" } });
    expect(run.result).toMatchObject({ is_error: true });
    expect(run.result?.result).toMatch(/^Request timed out/);
  });

  it("can be cancelled with SIGTERM while a response stalls midstream", async () => {
    mock.enqueue({ text: "this answer never finishes", hang: "midstream" });
    const controller = new AbortController();
    const running = runClaude(mock, ["-p", "hi", ...STREAM_JSON], { signal: controller.signal });
    await mock.waitForRequest((request) => request.kind === "messages");
    controller.abort();
    const run = await running;
    expect(run.code === 143 || run.signal === "SIGTERM").toBe(true);
    expect(run.result).toBeUndefined();
  });
});
