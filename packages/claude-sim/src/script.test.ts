import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { JSON_OUT, lastResult, lines, runSim, STREAM, tempDir } from "../test/run-sim.js";
import { simDirective } from "./index.js";
import { extractDirectives, parseScript, ScriptError } from "./script.js";

describe("script parsing", () => {
  it("simDirective round-trips through extractDirectives, later directives win", () => {
    const prompt = `hello ${simDirective({ cost: 0.1, reply: "a>>b" })} and ${simDirective({ reply: "c" })}`;
    expect(extractDirectives(prompt)).toEqual({ text: "hello  and ", script: { cost: 0.1, reply: "c" } });
  });

  it("rejects unknown fields and wrong types with the field name", () => {
    expect(() => parseScript({ delay: 1 })).toThrow(ScriptError);
    expect(() => parseScript({ delayMs: "1" })).toThrow(/delayMs/);
    expect(() => parseScript({ apiError: 404 })).toThrow(/apiError/);
  });
});

describe("scripted behaviour", () => {
  it("reply, delayMs, stderr and exitCode", async () => {
    const r = await runSim(["-p", 'x <<sim:{"reply":"hi","delayMs":300,"stderr":"noise\\n","exitCode":3}>>']);
    expect(r).toMatchObject({ code: 3, stdout: "hi\n", stderr: "noise\n" });
    expect(r.ms).toBeGreaterThan(290);
  });

  it("CLAUDE_SIM_SCRIPT applies, and prompt directives override it", async () => {
    const env = { CLAUDE_SIM_SCRIPT: '{"reply":"from env","cost":0.5}' };
    expect((await runSim(["-p", "x"], { env })).stdout).toBe("from env\n");
    const r = await runSim([...JSON_OUT, 'x <<sim:{"reply":"from prompt"}>>'], { env });
    expect(JSON.parse(r.stdout)).toMatchObject({ result: "from prompt", total_cost_usd: 0.5 });
    const bad = await runSim(["-p", "x"], { env: { CLAUDE_SIM_SCRIPT: "{nope" } });
    expect(bad.code).toBe(2);
  });

  it("cost and usage price each API call exactly", async () => {
    const r = await runSim([...STREAM, 'x <<sim:{"cost":0.1,"toolTurns":2}>>']);
    const res = lastResult(r.stdout);
    expect(res).toMatchObject({
      total_cost_usd: 0.3,
      num_turns: 3,
      usage: { output_tokens: 30000, input_tokens: 0 },
    });
    const assistants = lines(r.stdout).filter((l) => l.type === "assistant") as {
      message: { usage: object };
    }[];
    expect(assistants[0]?.message.usage).toEqual({
      input_tokens: 0,
      output_tokens: 10000,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    });
    const u = await runSim([
      ...JSON_OUT,
      "--model",
      "haiku",
      'x <<sim:{"usage":{"input_tokens":100,"output_tokens":20,"cache_creation_input_tokens":50,"cache_read_input_tokens":10}}>>',
    ]);
    expect(JSON.parse(u.stdout).total_cost_usd).toBe(0.00002635);
  });

  it("writeFiles writes in acceptEdits and is denied in default and plan modes", async () => {
    const cwd = tempDir();
    const prompt = 'x <<sim:{"writeFiles":{"sub/a.txt":"A","b.txt":"B"}}>>';
    const denied = await runSim([...JSON_OUT, "--permission-mode", "plan", prompt], { cwd });
    expect(JSON.parse(denied.stdout).permission_denials).toHaveLength(2);
    expect(existsSync(join(cwd, "b.txt"))).toBe(false);
    const allowed = await runSim([...JSON_OUT, "--permission-mode", "acceptEdits", prompt], { cwd });
    expect(JSON.parse(allowed.stdout)).toMatchObject({ permission_denials: [], num_turns: 3 });
    expect(readFileSync(join(cwd, "sub/a.txt"), "utf8")).toBe("A");
    const byRule = await runSim(
      [...JSON_OUT, "--allowedTools=Write", 'y <<sim:{"writeFiles":{"c.txt":"C"}}>>'],
      { cwd },
    );
    expect(JSON.parse(byRule.stdout).permission_denials).toEqual([]);
    const outside = await runSim(
      [...JSON_OUT, "--permission-mode=acceptEdits", 'z <<sim:{"writeFiles":{"../x":"X"}}>>'],
      { cwd },
    );
    expect(JSON.parse(outside.stdout).permission_denials).toHaveLength(1);
  });

  it("crash prints init and one assistant line, then exits with no result", async () => {
    const r = await runSim([...STREAM, 'x <<sim:{"crash":true,"exitCode":7,"toolTurns":1}>>']);
    expect(r.code).toBe(7);
    expect(lines(r.stdout).map((l) => l.type)).toEqual(["system", "assistant"]);
  });

  it("hang prints init and stays until SIGTERM, which exits 143 with no result", async () => {
    const r = await runSim([...STREAM, 'x <<sim:{"hang":true}>>'], {
      onSpawn: (child) => {
        child.stdout?.once("data", () => child.kill("SIGTERM"));
      },
    });
    expect(r.code).toBe(143);
    expect(lines(r.stdout).map((l) => l.type)).toEqual(["system"]);
  });

  it("SIGINT adds the interrupted user line and exits 0 without a result", async () => {
    const r = await runSim([...STREAM, 'x <<sim:{"delayMs":5000}>>'], {
      onSpawn: (child) => {
        child.stdout?.once("data", () => child.kill("SIGINT"));
      },
    });
    expect(r.code).toBe(0);
    const ls = lines(r.stdout);
    expect(ls.map((l) => l.type)).toEqual(["system", "user"]);
    expect(JSON.stringify(ls[1])).toContain("[Request interrupted by user]");
  });

  it("garbage interleaves noise and splits lines, but the JSON lines still parse", async () => {
    const chunks: string[] = [];
    const r = await runSim([...STREAM, 'x <<sim:{"garbage":true,"toolTurns":1}>>'], {
      onSpawn: (child) => child.stdout?.on("data", (c: Buffer) => chunks.push(c.toString())),
    });
    expect(r.code).toBe(0);
    const all = r.stdout.split("\n");
    expect(all.some((l) => l.startsWith("sim-garbage"))).toBe(true);
    expect(all.some((l, i) => l === "" && i < all.length - 1)).toBe(true);
    expect(chunks.some((c) => !c.endsWith("\n"))).toBe(true);
    expect(r.stderr).toContain("sim-garbage");
    const json = all.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as { type: string });
    expect(json.at(-1)?.type).toBe("result");
  });

  it("outputBytes produces a reply of exactly that size", async () => {
    const r = await runSim([...JSON_OUT, 'x <<sim:{"outputBytes":10000000}>>']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { result: string }).result.length).toBe(10_000_000);
  });

  it.each([
    [401, "authentication_error", "Failed to authenticate. API Error: 401 invalid x-api-key"],
    [429, "rate_limit_error", "API Error: 429 "],
    [529, "overloaded_error", "API Error: 529 Overloaded. This is a server-side issue"],
    [500, "api_error", "API Error: 500 "],
  ])(
    "apiError %i: synthetic assistant line and an is_error success result, rc 1",
    async (status, type, text) => {
      const r = await runSim([...STREAM, `x <<sim:{"apiError":${status}}>>`]);
      expect(r.code).toBe(1);
      const [init, synthetic, res] = lines(r.stdout);
      expect(init?.subtype).toBe("init");
      expect(synthetic).toMatchObject({
        type: "assistant",
        is_api_error_message: true,
        api_error_status: status,
      });
      expect(res).toMatchObject({
        is_error: true,
        subtype: "success",
        api_error_status: status,
        api_error_type: type,
      });
      expect(String(res?.result)).toContain(text);
      const textOut = await runSim(["-p", `x <<sim:{"apiError":${status}}>>`]);
      expect(textOut.stdout).toContain(text);
    },
  );

  it("usageLimit emits a rejected rate_limit_event and the usage-limit result text", async () => {
    const r = await runSim([...STREAM, 'x <<sim:{"usageLimit":{"resetsAt":"2030-01-01T00:00:00Z"}}>>']);
    expect(r.code).toBe(1);
    const ev = lines(r.stdout).find((l) => l.type === "rate_limit_event");
    expect(ev).toMatchObject({
      rate_limit_info: { status: "rejected", resetsAt: 1893456000, rateLimitType: "five_hour" },
    });
    expect(lastResult(r.stdout)).toMatchObject({
      is_error: true,
      result: "Claude AI usage limit reached|1893456000",
    });
  });

  it("usageLimit lifts at its reset time: a run after it succeeds", async () => {
    const r = await runSim([...STREAM, 'x <<sim:{"usageLimit":{"resetsAt":"2001-01-01T00:00:00Z"}}>>']);
    expect(r.code).toBe(0);
    expect(lines(r.stdout).some((l) => l.type === "rate_limit_event")).toBe(false);
    expect(lastResult(r.stdout)).toMatchObject({ is_error: false });
  });

  it("usageLimit follows CLAUDE_SIM_NOW_FILE's clock: limited before the reset it holds, lifted after", async () => {
    const now = join(tempDir(), "now");
    const prompt = 'x <<sim:{"usageLimit":{"resetsAt":"2030-01-01T00:00:00Z"}}>>';
    writeFileSync(now, String(Date.parse("2029-12-31T23:59:59Z")));
    const before = await runSim([...STREAM, prompt], { env: { CLAUDE_SIM_NOW_FILE: now } });
    expect(lastResult(before.stdout)).toMatchObject({ is_error: true });
    writeFileSync(now, String(Date.parse("2030-01-01T00:00:00Z")));
    const after = await runSim([...STREAM, prompt], { env: { CLAUDE_SIM_NOW_FILE: now } });
    expect(after.code).toBe(0);
    expect(lastResult(after.stdout)).toMatchObject({ is_error: false });
  });

  it("CLAUDE_SIM_LOG gets one line per invocation with the pid, prompt and session", async () => {
    const log = join(tempDir(), "calls.jsonl");
    const env = { CLAUDE_SIM_LOG: log };
    await runSim(["-p", "--append-system-prompt", "be brief", "arg"], { env, stdin: "piped" });
    await runSim(["-p", "--bogus"], { env });
    const entries = readFileSync(log, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({
      prompt: "arg\npiped",
      appendSystemPrompt: "be brief",
      model: "claude-sonnet-5-5",
      permissionMode: "default",
      pid: expect.any(Number),
      ppid: process.pid,
      sessionId: expect.any(String),
      argv: expect.arrayContaining(["--append-system-prompt"]),
    });
    expect(entries[1]).toMatchObject({ error: "error: unknown option '--bogus'" });
  });
});

describe("limits", () => {
  it("--max-budget-usd stops after the call that exceeds it (strictly greater)", async () => {
    const r = await runSim([...STREAM, "--max-budget-usd", "0.15", 'x <<sim:{"cost":0.1,"toolTurns":5}>>']);
    expect(r.code).toBe(1);
    expect(lastResult(r.stdout)).toMatchObject({
      subtype: "error_max_budget_usd",
      is_error: true,
      terminal_reason: "budget_exhausted",
      errors: ["Reached maximum budget ($0.15)"],
      total_cost_usd: 0.2,
      usage: { output_tokens: 0 },
    });
    const exact = await runSim([...JSON_OUT, "--max-budget-usd", "0.1", 'x <<sim:{"cost":0.1}>>']);
    expect(JSON.parse(exact.stdout)).toMatchObject({ subtype: "success" });
    const text = await runSim(["-p", "--max-budget-usd", "0.0001", "x"]);
    expect(text).toMatchObject({ code: 1, stdout: "Error: Exceeded USD budget (0.0001)" });
  });

  it("--max-turns N ends with error_max_turns and num_turns N+1", async () => {
    const r = await runSim([...JSON_OUT, "--max-turns", "2", 'x <<sim:{"toolTurns":5}>>']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({
      subtype: "error_max_turns",
      num_turns: 3,
      terminal_reason: "max_turns",
      stop_reason: "tool_use",
      errors: ["Reached maximum number of turns (2)"],
    });
    const text = await runSim(["-p", "--max-turns", "1", 'x <<sim:{"toolTurns":1}>>']);
    expect(text.stdout).toBe("Error: Reached max turns (1)");
    const enough = await runSim(["-p", "--max-turns", "2", 'x <<sim:{"toolTurns":1}>>']);
    expect(enough.code).toBe(0);
  });
});
