import { existsSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { createColdDriver } from "../src/driver/cold.js";
import type { Driver } from "../src/driver/port.js";
import { bigText, isAlive, promptFileOf, simHarness, waitFor } from "./driver-harness.js";

const drivers: Driver[] = [];
afterEach(async () => {
  await Promise.all(drivers.splice(0).map((d) => d.close()));
});
function cold(): Driver {
  const d = createColdDriver();
  drivers.push(d);
  return d;
}

describe("the cold driver (claude-sim)", () => {
  it("passes a 300 KB prompt on stdin and a 200 KB appended system prompt through a file", async () => {
    const h = simHarness();
    const prompt = bigText(300 * 1024, "END-OF-PROMPT");
    const system = bigText(200 * 1024, "END-OF-SYSTEM");
    const out = await cold()
      .slot("s0")
      .run(h.request(prompt, { appendSystemPrompt: system }));
    expect(out.result?.is_error).toBe(false);
    expect(out.driver).toBe("cold");
    expect(out.spawned).toBe(true);
    const [entry] = h.log();
    expect(entry?.prompt).toBe(prompt);
    expect(entry?.appendSystemPrompt).toBe(system);
    // Nothing big rode in argv, and the temp file is gone once the run is over.
    expect(Math.max(...(entry?.argv ?? []).map((a) => a.length))).toBeLessThan(4096);
    const file = promptFileOf(entry);
    expect(file).toBeDefined();
    expect(existsSync(file ?? "")).toBe(false);
  });

  it("gives an outcome when the CLI refuses its flags before reading a 600 KB prompt", async () => {
    const h = simHarness();
    const out = await cold()
      .slot("s0")
      .run(h.request(bigText(600 * 1024, "x"), { extraArgs: ["--bogus-flag"] }));
    expect(out.result).toBeNull();
    expect(out.exitCode).toBe(1);
    expect(out.stderrTail).toContain("unknown option '--bogus-flag'");
  });

  it("reports the assistant reply, the last good message and the per-run spend", async () => {
    const h = simHarness();
    const out = await cold().slot("s0").run(h.request('hi <<sim:{"cost":0.01}>>'));
    expect(out.assistantReplied).toBe(true);
    expect(out.lastGoodMessageUuid).toMatch(/^[0-9a-f-]{36}$/);
    const lastAssistant = h.lines.filter((l) => l.kind === "assistant").at(-1);
    expect(lastAssistant?.kind === "assistant" && lastAssistant.raw.uuid).toBe(out.lastGoodMessageUuid);
    expect(out.result?.total_cost_usd).toBeCloseTo(0.01, 9);
    expect(out.apiErrorStatus).toBeNull();
  });

  it("says no assistant replied when the API call failed, with the API's status", async () => {
    const h = simHarness();
    const out = await cold().slot("s0").run(h.request('bad <<sim:{"apiError":401}>>'));
    expect(out.result?.is_error).toBe(true);
    expect(out.assistantReplied).toBe(false);
    expect(out.lastGoodMessageUuid).toBeNull();
    expect(out.apiErrorStatus).toBe(401);
  });

  it("reports a 429's retry delay from the CLI's api_retry line", async () => {
    const h = simHarness();
    const out = await cold().slot("s0").run(h.request('slow down <<sim:{"apiError":429,"apiRetries":2}>>'));
    expect(out.apiErrorStatus).toBe(429);
    expect(out.retryAfterMs).toBe(1000); // claude-sim waits 500 ms × attempt
  });

  it("starts a session with a given id, and forks a resumed one under a new id", async () => {
    const h = simHarness();
    const slot = cold().slot("s0");
    const id = "3f0e6b1c-1111-4a2b-9c3d-000000000001";
    const first = await slot.run(h.request("one", { newSessionId: id }));
    expect(first.sessionId).toBe(id);
    const forkId = "3f0e6b1c-1111-4a2b-9c3d-000000000002";
    const fork = await slot.run(
      h.request("two", { resumeSessionId: id, forkSession: true, newSessionId: forkId }),
    );
    expect(fork.result?.is_error).toBe(false);
    expect(fork.sessionId).toBe(forkId);
    expect(h.log()[1]?.resumedFrom).toBe(id);
  });

  it("starts no process for a task stopped before it began", async () => {
    const h = simHarness();
    const c = new AbortController();
    c.abort("timeout");
    const out = await cold()
      .slot("s0")
      .run(h.request("never", {}, { signal: c.signal }));
    expect(out.killedFor).toBe("timeout");
    expect(out.spawned).toBe(false);
    expect(out.pid).toBeNull();
    expect(h.log()).toEqual([]);
  });

  it("close() kills a run in flight with its whole process group", async () => {
    const h = simHarness();
    const driver = cold();
    const run = driver.slot("s0").run(h.request('wait <<sim:{"spawnChild":true,"hang":true}>>'));
    await waitFor(() => h.log().some((e) => e.childPid !== undefined));
    const sim = h.log().find((e) => e.argv !== undefined);
    const child = h.log().find((e) => e.childPid !== undefined)?.childPid ?? 0;
    await driver.close();
    const out = await run;
    expect(out.killedFor).toBe("shutdown");
    expect(out.result).toBeNull();
    expect(isAlive(sim?.pid ?? 0)).toBe(false);
    await waitFor(() => !isAlive(child));
  });
});
