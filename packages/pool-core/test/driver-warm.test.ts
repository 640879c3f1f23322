import { existsSync, writeFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { ClaudeCliNotFound } from "../src/domain/errors.js";
import type { RunRequest } from "../src/driver/run.js";
import { createWarmDriver, type WarmSlot } from "../src/driver/warm.js";
import { spendOfRun } from "../src/pool/outcome.js";
import { bigText, isAlive, promptFileOf, simHarness, waitFor } from "./driver-harness.js";

const slots: WarmSlot[] = [];
afterEach(async () => {
  await Promise.all(slots.splice(0).map((s) => s.close()));
});
function warmSlot(): WarmSlot {
  const s = createWarmDriver().slot("s0") as WarmSlot;
  slots.push(s);
  return s;
}
function abortable(): { req: Partial<RunRequest>; abort: (reason: string) => void } {
  const c = new AbortController();
  return { req: { signal: c.signal }, abort: (reason) => c.abort(reason) };
}

describe("the warm driver (claude-sim)", () => {
  it("runs 20 turns in one process, each charged its own spend", async () => {
    const h = simHarness();
    const slot = warmSlot();
    let session: string | null = null;
    const pids = new Set<number | null>();
    for (let i = 0; i < 20; i++) {
      const cost = (i + 1) / 1000;
      const out = await slot.run(
        h.request(`turn ${i} <<sim:{"cost":${cost}}>>`, { resumeSessionId: session }),
      );
      expect(out.result?.is_error, `turn ${i}`).toBe(false);
      expect(out.result?.result).toBe(`sim: turn ${i}`);
      expect(out.driver).toBe("warm");
      expect(out.spawned).toBe(i === 0);
      expect(spendOfRun(out, 0).spendMicros).toBe(Math.round(cost * 1e6));
      session = out.sessionId;
      pids.add(out.pid);
    }
    expect(pids.size).toBe(1);
    expect(h.procs()).toHaveLength(1); // one invocation of the CLI for all 20 turns
    const turns = h.log().filter((e) => e.turn !== undefined);
    expect(turns.map((e) => e.prompt)).toEqual(
      Array.from({ length: 20 }, (_, i) => `turn ${i} <<sim:{"cost":${(i + 1) / 1000}}>>`),
    );
    expect(turns.slice(1).every((e) => e.resumedFrom === session)).toBe(true);
    expect(slot.warm).toBe(true);
  });

  it("stops a turn mid-way on cancel, retires that process, and the next turn works", async () => {
    const h = simHarness();
    const slot = warmSlot();
    const first = await slot.run(h.request("warm up"));
    const stop = abortable();
    const running = slot.run(
      h.request('slow <<sim:{"delayMs":60000}>>', { resumeSessionId: first.sessionId }, stop.req),
    );
    await waitFor(() => h.lines.filter((l) => l.kind === "init").length === 2);
    stop.abort("cancel");
    const cancelled = await running;
    expect(cancelled.killedFor).toBe("cancel");
    expect(cancelled.result).toBeNull();
    expect(cancelled.assistantReplied).toBe(false);
    const next = await slot.run(
      h.request("after", { resumeSessionId: first.sessionId, resumeSessionAt: first.lastGoodMessageUuid }),
    );
    expect(next.result?.result).toBe("sim: after");
    expect(next.pid).not.toBe(first.pid);
    expect(next.spawned).toBe(true);
    await waitFor(() => !isAlive(first.pid ?? 0));
  });

  it("kills the process group when a turn does not stop on the interrupt", async () => {
    const h = simHarness();
    const slot = warmSlot();
    const stop = abortable();
    const running = slot.run(
      h.request('<<sim:{"spawnChild":true,"hang":true,"ignoreInterrupt":true}>>', {}, stop.req),
    );
    await waitFor(() => h.log().some((e) => e.childPid !== undefined));
    const child = h.log().find((e) => e.childPid !== undefined)?.childPid ?? 0;
    stop.abort("timeout");
    const out = await running;
    expect(out.killedFor).toBe("timeout");
    expect(out.result).toBeNull();
    expect(out.signal ?? out.exitCode).toBeTruthy(); // it ended by the kill, not by a result
    expect(isAlive(out.pid ?? 0)).toBe(false);
    await waitFor(() => !isAlive(child));
  });

  it("ends a stopped turn by its interrupt when the CLI honours it, with its tool child killed", async () => {
    const h = simHarness();
    const slot = warmSlot();
    const stop = abortable();
    const running = slot.run(h.request('<<sim:{"spawnChild":true,"hang":true}>>', {}, stop.req));
    await waitFor(() => h.log().some((e) => e.childPid !== undefined));
    const child = h.log().find((e) => e.childPid !== undefined)?.childPid ?? 0;
    stop.abort("cancel");
    const out = await running;
    expect(out.killedFor).toBe("cancel");
    expect(h.lines.some((l) => l.kind === "result")).toBe(true); // the interrupt's echo, kept in the log
    expect(out.result).toBeNull();
    await waitFor(() => !isAlive(out.pid ?? 0) && !isAlive(child));
  });

  it("sends nothing for a task stopped before it began, and keeps the process", async () => {
    const h = simHarness();
    const slot = warmSlot();
    const a = await slot.run(h.request("a"));
    const stop = abortable();
    stop.abort("cancel");
    const out = await slot.run(h.request("never sent", { resumeSessionId: a.sessionId }, stop.req));
    expect(out.killedFor).toBe("cancel");
    expect(out.result).toBeNull();
    const b = await slot.run(h.request("b", { resumeSessionId: a.sessionId }));
    expect(b.pid).toBe(a.pid);
    expect(h.log().some((e) => e.prompt === "never sent")).toBe(false);
  });

  it("reports a usage limit's reset time, and does not reuse that process", async () => {
    const h = simHarness();
    const slot = warmSlot();
    const resetsAt = Math.ceil(Date.now() / 1000) + 3600;
    const limited = await slot.run(h.request(`<<sim:{"usageLimit":{"resetsAt":${resetsAt}}}>>`));
    expect(limited.result?.is_error).toBe(true);
    expect(limited.rateLimitResetsAt?.getTime()).toBe(resetsAt * 1000);
    expect(limited.apiErrorStatus).toBe(429);
    const next = await slot.run(h.request("later", { resumeSessionId: limited.sessionId }));
    expect(next.result?.is_error).toBe(false);
    expect(next.pid).not.toBe(limited.pid);
  });

  it("times a turn out by timeoutMs", async () => {
    const h = simHarness();
    const out = await warmSlot().run(h.request('<<sim:{"delayMs":60000}>>', {}, { timeoutMs: 200 }));
    expect(out.killedFor).toBe("timeout");
    expect(out.result).toBeNull();
  });

  it("stops a turn whose streamed cost passes its reservation, keeping what it spent", async () => {
    const h = simHarness();
    const out = await warmSlot().run(
      h.request('<<sim:{"cost":0.05,"toolTurns":3,"delayMs":50}>>', {}, { stopAboveMicros: 60_000 }),
    );
    expect(out.killedFor).toBe("over_reservation");
    expect(out.result).toBeNull();
    expect(out.streamedCostMicros).toBeGreaterThanOrEqual(100_000);
  });

  it("answers a crash mid-turn with an outcome without result, and respawns for the next turn", async () => {
    const h = simHarness();
    const slot = warmSlot();
    const first = await slot.run(h.request("one"));
    const crashed = await slot.run(h.request('<<sim:{"crash":true}>>', { resumeSessionId: first.sessionId }));
    expect(crashed.result).toBeNull();
    expect(crashed.exitCode).toBe(1);
    expect(crashed.killedFor).toBeNull();
    const next = await slot.run(h.request("three", { resumeSessionId: first.sessionId }));
    expect(next.result?.is_error).toBe(false);
    expect(next.spawned).toBe(true);
    expect(next.pid).not.toBe(first.pid);
  });

  it("respawns when the flags change, switches the model in place, keeps the process for a new prompt and budget", async () => {
    const h = simHarness();
    const slot = warmSlot();
    const a = await slot.run(h.request("a", { config: { model: "sonnet" }, maxBudgetUsd: 1 }));
    const b = await slot.run(
      h.request("b", { config: { model: "sonnet" }, maxBudgetUsd: 2, resumeSessionId: a.sessionId }),
    );
    expect(b.pid).toBe(a.pid);
    // Only the model differs: a set_model control request, no spawn.
    const c = await slot.run(h.request("c", { config: { model: "haiku" }, resumeSessionId: a.sessionId }));
    expect(c.pid).toBe(a.pid);
    expect(c.spawned).toBe(false);
    expect(c.model).toBe("claude-haiku-5-5");
    const d = await slot.run(
      h.request("d", { config: { model: "haiku", permissionMode: "plan" }, resumeSessionId: a.sessionId }),
    );
    expect(d.pid).not.toBe(a.pid);
    expect(d.spawned).toBe(true);
    const e = await slot.run(h.request("e", { config: { model: "haiku", permissionMode: "plan" } }));
    expect(e.pid).not.toBe(d.pid); // a new session (resume null) never reuses a used process
    // The warm process never gets --max-budget-usd: it would count every turn's spend.
    expect(h.procs().every((x) => !x.argv.some((arg) => arg.startsWith("--max-budget-usd")))).toBe(true);
  });

  it("retire() ends the process after its turn and pre-spawns the next one in the same session", async () => {
    const h = simHarness();
    const slot = warmSlot();
    const a = await slot.run(h.request("a"));
    slot.retire();
    await waitFor(() => h.procs().length === 2);
    const b = await slot.run(h.request("b", { resumeSessionId: a.sessionId }));
    expect(b.spawned).toBe(false);
    expect(b.pid).not.toBe(a.pid);
    expect(b.sessionId).toBe(a.sessionId);
    expect(h.procs()[1]?.resumedFrom).toBe(a.sessionId);
    expect(isAlive(a.pid ?? 0)).toBe(false);
  });

  it("retire(next) during a turn pre-spawns the next context once the turn is over", async () => {
    const h = simHarness();
    const slot = warmSlot();
    const running = slot.run(h.request('a <<sim:{"delayMs":300}>>', { appendSystemPrompt: "ctx 1" }));
    await waitFor(() => h.procs().length === 1);
    const next = h.request("", { appendSystemPrompt: "ctx 2" });
    slot.retire(next);
    const a = await running;
    expect(a.result?.is_error).toBe(false);
    await waitFor(() => h.procs().length === 2);
    const b = await slot.run(h.request("b", { appendSystemPrompt: "ctx 2" }));
    expect(b.spawned).toBe(false);
    expect(h.procs()[1]?.appendSystemPrompt).toBe("ctx 2");
  });

  it("prespawn() with a new session id: the fresh task takes that process without a spawn", async () => {
    const h = simHarness();
    const slot = warmSlot();
    const id = "5b0c3a7e-2222-4c4d-8e9f-000000000003";
    slot.prespawn(h.request("", { newSessionId: id }));
    await waitFor(() => h.procs().length === 1);
    const out = await slot.run(h.request("fresh", { newSessionId: id }));
    expect(out.spawned).toBe(false);
    expect(out.sessionId).toBe(id);
  });

  it("a fresh task without a chosen id takes a spare started fresh with one", async () => {
    const h = simHarness();
    const slot = warmSlot();
    const id = "5b0c3a7e-2222-4c4d-8e9f-000000000005";
    slot.prespawn(h.request("", { newSessionId: id }));
    await waitFor(() => h.procs().length === 1);
    const out = await slot.run(h.request("fresh, any id"));
    expect(out.spawned).toBe(false);
    expect(out.sessionId).toBe(id);
    // A spare that resumes a session does not serve a fresh task.
    slot.prespawn(h.request("", { resumeSessionId: id }));
    await waitFor(() => h.procs().length === 2);
    const next = await slot.run(h.request("fresh again"));
    expect(next.spawned).toBe(true);
    expect(next.sessionId).not.toBe(id);
  });

  it("close() leaves no process alive", async () => {
    const h = simHarness();
    const slot = warmSlot();
    await slot.run(h.request("a"));
    slot.prespawn(h.request("", { newSessionId: "5b0c3a7e-2222-4c4d-8e9f-000000000004" }));
    const busy = slot.run(h.request('<<sim:{"hang":true}>>', { config: { permissionMode: "plan" } }));
    await waitFor(() => h.procs().length === 3);
    const pids = h.procs().map((e) => e.pid);
    await slot.close();
    const out = await busy;
    expect(out.killedFor).toBe("shutdown");
    for (const pid of pids) expect(isAlive(pid), `pid ${pid}`).toBe(false);
    expect(slot.pids).toEqual([]);
  });

  it("throws ClaudeCliNotFound when the executable is missing", async () => {
    const h = simHarness();
    const err = await warmSlot()
      .run(h.request("x", {}, { bin: `${h.dir}/no-such-claude` }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClaudeCliNotFound);
  });

  it("says the executable is not executable when spawning it is refused (EACCES)", async () => {
    const h = simHarness();
    const bin = `${h.dir}/claude-without-x-bit`;
    writeFileSync(bin, "#!/bin/sh\nexit 0\n", { mode: 0o644 });
    const err = await warmSlot()
      .run(h.request("x", {}, { bin }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClaudeCliNotFound);
    expect((err as Error).message).toContain(`the Claude CLI at "${bin}" is not executable`);
  });

  it("gives an outcome when the CLI refuses its flags before reading a 600 KB prompt", async () => {
    const h = simHarness();
    const out = await warmSlot().run(h.request(bigText(600 * 1024, "x"), { extraArgs: ["--bogus-flag"] }));
    expect(out.result).toBeNull();
    expect(out.exitCode).toBe(1);
    expect(out.stderrTail).toContain("unknown option '--bogus-flag'");
  });

  it("passes a 300 KB prompt and a 200 KB appended system prompt", async () => {
    const h = simHarness();
    const slot = warmSlot();
    const prompt = bigText(300 * 1024, "END-OF-PROMPT");
    const system = bigText(200 * 1024, "END-OF-SYSTEM");
    const out = await slot.run(
      h.request(`${prompt} <<sim:{"reply":"big ok"}>>`, { appendSystemPrompt: system }),
    );
    expect(out.result?.result).toBe("big ok");
    const [entry] = h.procs();
    expect(entry?.appendSystemPrompt).toBe(system);
    expect(Math.max(...(entry?.argv ?? []).map((a) => a.length))).toBeLessThan(4096);
    await slot.close();
    expect(existsSync(promptFileOf(entry) ?? "")).toBe(false);
  });
});
