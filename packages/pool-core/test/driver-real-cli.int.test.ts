import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  claudeBinPath,
  claudeEnv,
  type MockAnthropic,
  startMockAnthropic,
} from "@claude-pool/anthropic-mock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createColdDriver } from "../src/driver/cold.js";
import type { StreamLine } from "../src/driver/messages.js";
import type { SlotDriver } from "../src/driver/port.js";
import { createWarmDriver } from "../src/driver/warm.js";
import { spendOfRun } from "../src/pool/outcome.js";
import { bigText, isAlive, requestBuilder, waitFor } from "./driver-harness.js";

/** The real `claude` 2.1.332 driven by the cold and warm drivers, against the loopback mock API. */
let mock: MockAnthropic;
const open: SlotDriver[] = [];
beforeAll(async () => {
  mock = await startMockAnthropic();
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
  mock.reset();
});
afterAll(async () => {
  await mock.close();
});

/** The CLI prices the mock's default usage (100 in / 20 out / 50 cache write / 10 cache read) on opus-5-5 so. */
const CALL_MICROS = 1052;

function harness() {
  const cwd = mkdtempSync(path.join(tmpdir(), "driver-real-"));
  const env = claudeEnv(mock, { configDir: path.join(cwd, ".claude-config") });
  const lines: StreamLine[] = [];
  const request = requestBuilder({ bin: claudeBinPath(), cwd, env }, lines);
  return { request, lines };
}

function slotOf(kind: "cold" | "warm"): SlotDriver {
  const s = (kind === "cold" ? createColdDriver() : createWarmDriver()).slot("s0");
  open.push(s);
  return s;
}

describe("the warm driver on the real CLI", () => {
  it("runs 20 tasks in one process, each charged exactly one API call", async () => {
    const h = harness();
    const slot = slotOf("warm");
    let session: string | null = null;
    let previousTotal = 0;
    const pids = new Set<number | null>();
    for (let i = 0; i < 20; i++) {
      const out = await slot.run(h.request(`task ${i}`, { resumeSessionId: session }));
      expect(out.result?.is_error, `task ${i}: ${JSON.stringify(out.result)}`).toBe(false);
      expect(spendOfRun(out, previousTotal).spendMicros, `task ${i}`).toBe(CALL_MICROS);
      expect(out.spawned).toBe(i === 0);
      previousTotal = Math.round((out.result?.total_cost_usd ?? 0) * 1e6);
      session = out.sessionId;
      pids.add(out.pid);
    }
    expect(pids.size).toBe(1);
    expect(previousTotal).toBe(20 * CALL_MICROS); // the CLI's own total is cumulative over the turns
    expect(mock.messagesRequests().map((r) => r.lastUserText)).toEqual(
      Array.from({ length: 20 }, (_, i) => `task ${i}`),
    );
  });

  it("switches the model of its process with set_model instead of respawning", async () => {
    const h = harness();
    const slot = slotOf("warm");
    const a = await slot.run(h.request("on sonnet", { config: { model: "sonnet" } }));
    const b = await slot.run(
      h.request("on haiku", { config: { model: "haiku" }, resumeSessionId: a.sessionId }),
    );
    expect(b.result?.is_error).toBe(false);
    expect(b.pid).toBe(a.pid);
    expect(b.spawned).toBe(false);
    expect(mock.messagesRequests().map((r) => r.model)).toEqual(["claude-sonnet-5-5", "claude-haiku-5-5"]);
  });

  it("stops a task cancelled mid-turn, and the slot's next task succeeds", async () => {
    const h = harness();
    const slot = slotOf("warm");
    const first = await slot.run(h.request("first"));
    mock.script((r) => (r.lastUserText === "slow one" ? { text: "late", delayMs: 60_000 } : undefined));
    const stop = new AbortController();
    const running = slot.run(
      h.request("slow one", { resumeSessionId: first.sessionId }, { signal: stop.signal }),
    );
    await mock.waitForRequest((r) => r.lastUserText === "slow one", { timeoutMs: 20_000 });
    stop.abort("cancel");
    const cancelled = await running;
    expect(cancelled.killedFor).toBe("cancel");
    expect(cancelled.result).toBeNull();
    expect(cancelled.assistantReplied).toBe(false);
    const next = await slot.run(
      h.request("after", { resumeSessionId: first.sessionId, resumeSessionAt: first.lastGoodMessageUuid }),
    );
    expect(next.result?.is_error, JSON.stringify(next.result)).toBe(false);
    expect(next.sessionId).toBe(first.sessionId);
    // Resumed at the last good message: the cancelled prompt is not in the next request.
    const sent = JSON.stringify(mock.messagesRequests().at(-1)?.body?.messages);
    expect(sent).toContain("first");
    expect(sent).not.toContain("slow one");
    await waitFor(() => !isAlive(first.pid ?? 0));
  });
  it("never reuses a process after an API error: the next task resumed at the last good message is clean", async () => {
    const h = harness();
    const slot = slotOf("warm");
    const good = await slot.run(h.request("good prompt"));
    mock.enqueue({ error: { status: 401, message: "invalid x-api-key" } });
    const bad = await slot.run(h.request("poison prompt", { resumeSessionId: good.sessionId }));
    expect(bad.result?.is_error, JSON.stringify(bad.result)).toBe(true);
    expect(bad.apiErrorStatus).toBe(401);
    expect(bad.assistantReplied).toBe(false);
    expect(bad.lastGoodMessageUuid).toBeNull();
    const next = await slot.run(
      h.request("healthy prompt", {
        resumeSessionId: good.sessionId,
        resumeSessionAt: good.lastGoodMessageUuid,
      }),
    );
    expect(next.result?.is_error, JSON.stringify(next.result)).toBe(false);
    expect(next.pid).not.toBe(good.pid);
    const sent = JSON.stringify(mock.messagesRequests().at(-1)?.body?.messages);
    expect(sent).toContain("good prompt");
    expect(sent).not.toContain("poison prompt");
  });
});

describe.each(["cold", "warm"] as const)("big inputs on the real CLI (%s)", (kind) => {
  it("passes a 300 KB prompt and a 200 KB appended system prompt", async () => {
    const h = harness();
    const prompt = bigText(300 * 1024, "END-OF-PROMPT");
    const system = bigText(200 * 1024, "END-OF-SYSTEM");
    const out = await slotOf(kind).run(h.request(prompt, { appendSystemPrompt: system }));
    expect(out.result?.is_error, JSON.stringify(out.result)?.slice(0, 500)).toBe(false);
    const req = mock.messagesRequests().at(-1);
    expect(req?.lastUserText?.endsWith("END-OF-PROMPT")).toBe(true);
    expect(req?.systemText).toContain("END-OF-SYSTEM");
  });
});
