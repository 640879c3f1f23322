import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { home, lines, runSim, STREAM } from "../test/run-sim.js";
import { simBinPath } from "./index.js";

const INPUT = [...STREAM, "--input-format", "stream-json"];
const user = (content: string) => `${JSON.stringify({ type: "user", message: { role: "user", content } })}\n`;
type Line = Record<string, unknown>;

/** A live stream-json sim: write lines, wait for lines. */
function liveSim(args: string[] = []) {
  const child = spawn(process.execPath, [simBinPath, ...INPUT, ...args], {
    cwd: home,
    env: { ...process.env, CLAUDE_SIM_HOME: home, CLAUDE_SIM_SCRIPT: "", CLAUDE_SIM_LOG: "" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const seen: Line[] = [];
  let buf = "";
  const waiters: Array<() => void> = [];
  child.stdout.setEncoding("utf8").on("data", (c: string) => {
    buf += c;
    for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
      seen.push(JSON.parse(buf.slice(0, i)) as Line);
      buf = buf.slice(i + 1);
    }
    for (const w of waiters.splice(0)) w();
  });
  const until = async (pred: (l: Line[]) => boolean): Promise<void> => {
    while (!pred(seen)) await new Promise<void>((r) => waiters.push(r));
  };
  const exited = new Promise<number | null>((r) => child.on("close", (code) => r(code)));
  return { child, seen, until, exited, write: (s: string) => child.stdin.write(s) };
}

const results = (ls: Line[]) => ls.filter((l) => l.type === "result");
const costOf = (usage: unknown) =>
  Object.values(usage as Record<string, { costUSD: number }>).reduce((a, m) => a + m.costUSD, 0);

describe("--input-format stream-json", () => {
  it("runs one turn per message: init each turn, result_index, cumulative totals, per-turn usage", async () => {
    const input = Array.from({ length: 3 }, (_, i) => user(`turn ${i} <<sim:{"cost":0.01}>>`)).join("");
    const r = await runSim(INPUT, { stdin: input });
    expect(r.code).toBe(0);
    const out = lines(r.stdout);
    expect(out.filter((l) => l.type === "system" && l.subtype === "init")).toHaveLength(3);
    const res = results(out);
    expect(res.map((l) => l.result_index)).toEqual([0, 1, 2]);
    expect(res.map((l) => l.total_cost_usd)).toEqual([0.01, 0.02, 0.03]);
    for (const l of res) expect(costOf(l.model_usage_since_last_result)).toBeCloseTo(0.01, 9);
    expect(new Set(res.map((l) => l.session_id)).size).toBe(1);
  });

  it("applies garbage to the turn that asks for it only", async () => {
    const r = await runSim(INPUT, {
      stdin: user("clean") + user('noisy <<sim:{"garbage":true}>>') + user("clean again"),
    });
    const raw = r.stdout.split("\n");
    const noise = raw.filter((l) => l.startsWith("sim-garbage"));
    expect(noise.length).toBeGreaterThan(0);
    const firstNoise = raw.findIndex((l) => l.startsWith("sim-garbage"));
    const firstResult = raw.findIndex((l) => l.includes('"type":"result"'));
    expect(firstNoise).toBeGreaterThan(firstResult); // turn 1 was clean
    const last = raw.filter((l) => l.startsWith("{")).at(-1) ?? "";
    expect(JSON.parse(last)).toMatchObject({ type: "result", result: "sim: clean again" });
    const afterSecond = raw.slice(raw.findLastIndex((l) => l.includes('"subtype":"init"')));
    expect(afterSecond.some((l) => l.startsWith("sim-garbage"))).toBe(false); // turn 3 clean again
  });

  it("answers an interrupt mid-turn, ends that turn without a reply, and runs the next", async () => {
    const sim = liveSim();
    sim.write(user('slow <<sim:{"delayMs":60000}>>'));
    await sim.until((ls) => ls.some((l) => l.type === "system"));
    sim.write(
      `${JSON.stringify({ type: "control_request", request_id: "r1", request: { subtype: "interrupt" } })}\n`,
    );
    await sim.until((ls) => results(ls).length === 1);
    const ack = sim.seen.find((l) => l.type === "control_response") as { response?: Line } | undefined;
    expect(ack?.response?.request_id).toBe("r1");
    const [stopped] = results(sim.seen);
    expect(stopped?.subtype).toBe("error_during_execution");
    expect(stopped?.is_error).toBe(true);
    expect(sim.seen.some((l) => l.type === "assistant")).toBe(false);
    sim.write(user("next"));
    sim.child.stdin.end();
    await sim.until((ls) => results(ls).length === 2);
    expect(results(sim.seen)[1]).toMatchObject({ result: "sim: next", is_error: false, result_index: 1 });
    expect(await sim.exited).toBe(0);
  });

  it("set_model switches the model of the next turns", async () => {
    const sim = liveSim(["--model", "sonnet"]);
    sim.write(user("one"));
    await sim.until((ls) => results(ls).length === 1);
    sim.write(
      `${JSON.stringify({ type: "control_request", request_id: "m", request: { subtype: "set_model", model: "haiku" } })}\n`,
    );
    await sim.until((ls) => ls.some((l) => l.type === "control_response"));
    sim.write(user("two"));
    sim.child.stdin.end();
    await sim.until((ls) => results(ls).length === 2);
    const ack = sim.seen.find((l) => l.type === "control_response") as { response?: Line } | undefined;
    expect(ack?.response?.response).toEqual({ model: "claude-haiku-5-5" });
    const inits = sim.seen.filter((l) => l.type === "system" && l.subtype === "init").map((l) => l.model);
    expect(inits).toEqual(["claude-sonnet-5-5", "claude-haiku-5-5"]);
    expect(Object.keys(results(sim.seen)[1]?.model_usage_since_last_result as object)).toEqual([
      "claude-haiku-5-5",
    ]);
  });

  it("interrupts a hanging turn too", async () => {
    const sim = liveSim();
    sim.write(user('<<sim:{"hang":true}>>'));
    await sim.until((ls) => ls.some((l) => l.type === "system"));
    sim.write(
      `${JSON.stringify({ type: "control_request", request_id: "r2", request: { subtype: "interrupt" } })}\n`,
    );
    sim.child.stdin.end();
    await sim.until((ls) => results(ls).length === 1);
    expect(await sim.exited).toBe(1);
  });

  it("--resume-session-at drops what came after that message", async () => {
    const first = lines(
      (await runSim(INPUT, { stdin: user("keep me") + user('drop me <<sim:{"apiError":401}>>') })).stdout,
    );
    const sessionId = String(results(first)[0]?.session_id);
    const keepUuid = first.filter((l) => l.type === "assistant").at(0)?.uuid;
    const r = await runSim([...INPUT, "--resume", sessionId, "--resume-session-at", String(keepUuid)], {
      stdin: user("again"),
    });
    expect(r.code).toBe(0);
    const stored = JSON.parse(readFileSync(join(home, "sessions", `${sessionId}.json`), "utf8")) as {
      messages: Array<{ text: string }>;
    };
    expect(stored.messages.map((m) => m.text)).toEqual(["keep me", "sim: keep me", "again", "sim: again"]);
    const bad = await runSim([...INPUT, "--resume", sessionId, "--resume-session-at", "nope"], {
      stdin: user("x"),
    });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("No message found with message.uuid of: nope");
  });

  it("CLAUDE_SIM_KEEP_FAILED_PROMPTS=1: a failed prompt poisons the session until resumed before it", async () => {
    const env = { CLAUDE_SIM_KEEP_FAILED_PROMPTS: "1" };
    const first = lines(
      (
        await runSim(INPUT, {
          env,
          stdin: user("good") + user('bad <<sim:{"apiError":400}>>') + user("healthy"),
        })
      ).stdout,
    );
    const res = results(first);
    expect(res.map((l) => l.is_error)).toEqual([false, true, true]); // "healthy" re-sent the bad prompt
    expect(String(res[2]?.result)).toContain("API Error: 400");
    const sessionId = String(res[0]?.session_id);
    const goodUuid = first.filter(
      (l) => l.type === "assistant" && l.message && (l.message as Line).model !== "<synthetic>",
    )[0]?.uuid;
    const resumedAt = await runSim(
      [...INPUT, "--resume", sessionId, "--resume-session-at", String(goodUuid)],
      {
        env,
        stdin: user("healthy again"),
      },
    );
    expect(results(lines(resumedAt.stdout))[0]).toMatchObject({
      is_error: false,
      result: "sim: healthy again",
    });
  });
});
