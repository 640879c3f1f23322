import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { home, JSON_OUT, lastResult, lines, runSim, STREAM, tempDir } from "../test/run-sim.js";

const COST = '<<sim:{"cost":0.1}>>';

async function jsonRun(args: string[], opts = {}) {
  const r = await runSim([...JSON_OUT, ...args], opts);
  return { ...r, json: r.stdout ? (JSON.parse(r.stdout) as Record<string, unknown>) : {} };
}

describe("sessions on disk", () => {
  it("--resume keeps the id and makes total_cost_usd and modelUsage cumulative", async () => {
    const first = await jsonRun([`one ${COST}`]);
    const id = first.json.session_id as string;
    expect(first.json.total_cost_usd).toBe(0.1);
    const second = await runSim([...STREAM, "--resume", id, `two ${COST}`]);
    const res = lastResult(second.stdout);
    expect(res.session_id).toBe(id);
    expect(res.total_cost_usd).toBe(0.2);
    expect(res.modelUsage).toMatchObject({ "claude-sonnet-5-5": { outputTokens: 20000, costUSD: 0.2 } });
    expect(res.model_usage_since_last_result).toMatchObject({ "claude-sonnet-5-5": { costUSD: 0.1 } });
    expect(res.usage).toMatchObject({ output_tokens: 10000 });
    const third = await jsonRun([`--resume=${id}`, `three ${COST}`]);
    expect(third.json.total_cost_usd).toBe(0.3);
  });

  it("--fork-session copies the history to a new id (or to --session-id) and leaves the original", async () => {
    const first = await jsonRun([`one ${COST}`]);
    const id = first.json.session_id as string;
    const fork = await jsonRun(["--resume", id, "--fork-session", "forked"]);
    expect(fork.json.session_id).not.toBe(id);
    const wanted = "0b7c5d2e-8f1a-4c3b-9d4e-5f6a7b8c9d0e";
    const named = await jsonRun(["-r", id, "--fork-session", "--session-id", wanted, "forked"]);
    expect(named.json.session_id).toBe(wanted);
    const again = await jsonRun(["--resume", id, `again ${COST}`]);
    expect(again.json.total_cost_usd).toBe(0.2);
  });

  it("--session-id: invalid, duplicate and without --fork-session next to --resume", async () => {
    const bad = await runSim([...JSON_OUT, "--session-id", "nope", "x"]);
    expect(bad).toMatchObject({
      code: 1,
      stdout: "",
      stderr: "Error: Invalid session ID. Must be a valid UUID.\n",
    });
    const id = "1b7c5d2e-8f1a-4c3b-9d4e-5f6a7b8c9d0e";
    const ok = await jsonRun(["--session-id", id, "x"]);
    expect(ok.json.session_id).toBe(id);
    const dup = await runSim([...JSON_OUT, "--session-id", id, "x"]);
    expect(dup).toMatchObject({ code: 1, stderr: `Error: Session ID ${id} is already in use.\n` });
    const mix = await runSim([
      ...JSON_OUT,
      "--session-id",
      "2b7c5d2e-8f1a-4c3b-9d4e-5f6a7b8c9d0e",
      "-r",
      id,
      "x",
    ]);
    expect(mix.stderr).toBe("Error: --session-id with --continue or --resume also needs --fork-session.\n");
  });

  it("a missing --resume fails on stderr, plus an error_during_execution result in stream-json", async () => {
    const id = "11111111-2222-4333-8444-555555555555";
    const json = await runSim([...JSON_OUT, "--resume", id, "x"]);
    expect(json).toMatchObject({
      code: 1,
      stdout: "",
      stderr: `No conversation found with session ID: ${id}\n`,
    });
    const stream = await runSim([...STREAM, "--resume", id, "x"]);
    expect(stream.code).toBe(1);
    expect(lines(stream.stdout)).toEqual([
      expect.objectContaining({
        type: "result",
        subtype: "error_during_execution",
        session_id: id,
        errors: [`No conversation found with session ID: ${id}`],
      }),
    ]);
  });

  it("--no-session-persistence writes nothing, so the id cannot be resumed", async () => {
    const r = await jsonRun(["--no-session-persistence", "x"]);
    const id = r.json.session_id as string;
    expect(existsSync(join(home, "sessions", `${id}.json`))).toBe(false);
    const resume = await runSim([...JSON_OUT, "--resume", id, "x"]);
    expect(resume.code).toBe(1);
  });

  it("--continue picks the latest session of the cwd, or starts a new one", async () => {
    const cwd = tempDir();
    const none = await jsonRun(["--continue", "x"], { cwd });
    const first = none.json.session_id as string;
    const next = await jsonRun(["-c", "y"], { cwd });
    expect(next.json.session_id).toBe(first);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it("--resume also finds a session by its --name", async () => {
    const name = `named-${Date.now()}`;
    const first = await jsonRun(["--name", name, `x ${COST}`]);
    const again = await jsonRun(["--resume", name, `y ${COST}`]);
    expect(again.json.session_id).toBe(first.json.session_id);
    expect(again.json.total_cost_usd).toBe(0.2);
  });
});
