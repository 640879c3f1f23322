import { describe, expect, it } from "vitest";
import { fixture, JSON_OUT, lastResult, lines, runSim, STREAM } from "../test/run-sim.js";

type Obj = Record<string, unknown>;

const keys = (o: unknown) => Object.keys(o as Obj).sort();
const realLines = (name: string) => lines(fixture(name));
const byType = (ls: Obj[], type: string, subtype?: string) =>
  ls.find((l) => l.type === type && (subtype === undefined || l.subtype === subtype));

describe("output shapes match the real CLI's", () => {
  it("stream-json success: init, assistant and result carry the real keys", async () => {
    const real = realLines("stream_json_success.jsonl");
    const r = await runSim([...STREAM, "hello"]);
    expect(r.code).toBe(0);
    const sim = lines(r.stdout);
    expect(sim.map((l) => l.type)).toEqual(["system", "assistant", "result"]);
    expect(keys(sim[0])).toEqual(keys(real[0]));
    expect(keys(sim[1])).toEqual(keys(real[1]));
    expect(keys((sim[1] as { message: Obj }).message)).toEqual(keys((real[1] as { message: Obj }).message));
    expect(keys(sim[2])).toEqual(keys(real[2]));
    const res = sim[2] as Obj & { usage: Obj; modelUsage: Record<string, Obj> };
    const realRes = real[2] as Obj & { usage: Obj; modelUsage: Record<string, Obj> };
    expect(keys(res.usage)).toEqual(keys(realRes.usage));
    expect(keys(res.modelUsage["claude-sonnet-5-5"])).toEqual(keys(realRes.modelUsage["claude-opus-5-5"]));
    expect(sim[0]).toMatchObject({
      claude_code_version: "2.1.332",
      model: "claude-sonnet-5-5",
      cwd: expect.any(String),
    });
  });

  it("json prints one result object with the real keys (no model_usage_since_last_result)", async () => {
    const real = JSON.parse(fixture("json_success.json")) as Obj;
    const r = await runSim([...JSON_OUT, "hello"]);
    const sim = JSON.parse(r.stdout) as Obj;
    expect(r.stdout.endsWith("}\n")).toBe(true);
    expect(keys(sim)).toEqual(keys(real));
    expect(sim).toMatchObject({ type: "result", subtype: "success", is_error: false, result: "sim: hello" });
  });

  it("json --verbose prints an array of every message", async () => {
    const real = JSON.parse(fixture("json_verbose_array.json")) as Obj[];
    const r = await runSim([...JSON_OUT, "--verbose", "hello"]);
    const sim = JSON.parse(r.stdout) as Obj[];
    expect(sim.map((m) => m.type)).toEqual(real.map((m) => m.type));
    sim.forEach((m, i) => {
      expect(keys(m)).toEqual(keys(real[i]));
    });
  });

  it("text prints the result text", async () => {
    const r = await runSim(["-p", "hello there"]);
    expect(r).toMatchObject({ code: 0, stdout: "sim: hello there\n", stderr: "" });
  });

  it("tool rounds: one assistant line per block sharing message.id, then a user tool_result", async () => {
    const real = realLines("stream_json_tool_permission_denied.jsonl");
    const r = await runSim([...STREAM, 'go <<sim:{"toolTurns":1}>>']);
    const sim = lines(r.stdout);
    expect(sim.map((l) => l.type)).toEqual([
      "system",
      "assistant",
      "assistant",
      "user",
      "assistant",
      "result",
    ]);
    const [a1, a2] = [sim[1], sim[2]] as { message: { id: string; content: Obj[] } }[];
    expect(a1?.message.id).toBe(a2?.message.id);
    expect(a1?.message.content).toHaveLength(1);
    expect(a2?.message.content[0]).toMatchObject({ type: "tool_use", name: "Bash" });
    const realUser = real.find((l) => l.type === "user");
    expect(keys(sim[3]).filter((k) => k !== "tool_result_meta")).toEqual(
      keys(realUser).filter((k) => k !== "tool_result_meta"),
    );
    expect(lastResult(r.stdout)).toMatchObject({ num_turns: 2, result: "sim: go" });
  });

  it("permission denial: system permission_denied line, denied tool_result, permission_denials", async () => {
    const real = realLines("stream_json_tool_permission_denied.jsonl");
    const r = await runSim([...STREAM, 'x <<sim:{"writeFiles":{"a.txt":"A"}}>>']);
    const sim = lines(r.stdout);
    const denied = byType(sim, "system", "permission_denied");
    expect(keys(denied)).toEqual(keys(byType(real, "system", "permission_denied")));
    const user = byType(sim, "user") as { message: { content: Obj[] } };
    expect(keys(user)).toEqual(keys(byType(real, "user")));
    expect(user.message.content[0]).toMatchObject({ is_error: true });
    const res = lastResult(r.stdout) as { permission_denials: Obj[] };
    expect(res).toMatchObject({ subtype: "success", is_error: false });
    expect(res.permission_denials[0]).toMatchObject({ tool_name: "Write" });
    expect(keys(res.permission_denials[0])).toEqual(keys((real.at(-1) as typeof res).permission_denials[0]));
  });

  it("error results match the real max-turns, budget and API-error keys", async () => {
    const turns = await runSim([...JSON_OUT, "--max-turns", "1", 'x <<sim:{"toolTurns":3}>>']);
    expect(keys(JSON.parse(turns.stdout))).toEqual(keys(JSON.parse(fixture("json_error_max_turns.json"))));
    const budget = await runSim([...JSON_OUT, "--max-budget-usd", "0.0001", "x"]);
    expect(keys(JSON.parse(budget.stdout))).toEqual(
      keys(JSON.parse(fixture("json_error_max_budget_usd.json"))),
    );
    const api = await runSim([...STREAM, 'x <<sim:{"apiError":401,"apiRetries":1}>>']);
    const real = realLines("stream_json_api_error_401.jsonl");
    const sim = lines(api.stdout);
    expect(sim.map((l) => l.type)).toEqual(real.map((l) => l.type));
    sim.forEach((m, i) => {
      expect(keys(m)).toEqual(keys(real[i]));
    });
  });

  it("structured output carries structured_output and the JSON text as result", async () => {
    const real = JSON.parse(fixture("json_structured_output.json")) as Obj;
    const schema = '{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}';
    const r = await runSim([...JSON_OUT, "--json-schema", schema, 'x <<sim:{"structured":{"name":"Ada"}}>>']);
    const sim = JSON.parse(r.stdout) as Obj;
    expect(keys(sim)).toEqual(keys(real));
    expect(sim).toMatchObject({ result: '{"name":"Ada"}', structured_output: { name: "Ada" }, num_turns: 2 });
    const derived = await runSim([...JSON_OUT, "--json-schema", schema, "x"]);
    expect(JSON.parse(derived.stdout)).toMatchObject({ structured_output: { name: "sim" } });
    const text = await runSim(["-p", "--json-schema", schema, "x"]);
    expect(text.stdout).toBe('{"name":"sim"}\n');
  });

  it("--include-partial-messages adds a status line and stream events", async () => {
    const real = realLines("stream_json_partial_messages.jsonl");
    const r = await runSim([...STREAM, "--include-partial-messages", "hello"]);
    const sim = lines(r.stdout);
    const events = (ls: Obj[]) =>
      ls.filter((l) => l.type === "stream_event").map((l) => (l.event as { type: string }).type);
    expect(new Set(events(sim))).toEqual(new Set(events(real)));
    expect(byType(sim, "system", "status")).toBeDefined();
  });
});

describe("stream-json input", () => {
  it("runs one turn per stdin user message, with result_index and cumulative cost", async () => {
    const msgs = [
      { type: "control_request", request_id: "r1", request: { subtype: "initialize" } },
      { type: "user", message: { role: "user", content: 'one <<sim:{"cost":0.1}>>' } },
      {
        type: "user",
        message: { role: "user", content: [{ type: "text", text: 'two <<sim:{"cost":0.2}>>' }] },
      },
    ];
    const r = await runSim(
      ["-p", "--input-format", "stream-json", ...STREAM.slice(1), "--replay-user-messages"],
      {
        stdin: `${msgs.map((m) => JSON.stringify(m)).join("\n")}\n`,
      },
    );
    expect(r.code).toBe(0);
    const out = lines(r.stdout);
    expect(out[0]).toMatchObject({ type: "control_response", response: { request_id: "r1" } });
    const results = out.filter((l) => l.type === "result");
    expect(results).toMatchObject([
      { result_index: 0, total_cost_usd: 0.1, result: "sim: one" },
      {
        result_index: 1,
        total_cost_usd: 0.3,
        result: "sim: two",
        model_usage_since_last_result: { "claude-sonnet-5-5": { costUSD: 0.2 } },
      },
    ]);
    expect(out.filter((l) => l.isReplay === true)).toHaveLength(2);
  });
});
