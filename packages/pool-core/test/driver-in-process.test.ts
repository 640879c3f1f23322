import { describe, expect, it } from "vitest";
import { createDriver } from "../src/driver/index.js";
import { spendOfRun } from "../src/pool/outcome.js";
import { simHarness } from "./driver-harness.js";

describe("the in-process driver", () => {
  it("answers at once with a result shaped like the CLI's, cumulative per session", async () => {
    const h = simHarness();
    const slot = createDriver("in-process").slot("s0");
    const a = await slot.run(h.request("hello there"));
    expect(a.driver).toBe("in-process");
    expect(a.pid).toBeNull();
    expect(a.result?.is_error).toBe(false);
    expect(a.result?.result).toBe("in-process: hello there");
    expect(a.assistantReplied).toBe(true);
    expect(a.lastGoodMessageUuid).not.toBeNull();
    const b = await slot.run(h.request("again", { resumeSessionId: a.sessionId }));
    expect(b.sessionId).toBe(a.sessionId);
    expect(b.result?.total_cost_usd).toBeCloseTo(0.0002, 9);
    expect(spendOfRun(b, 100).spendMicros).toBe(100);
    expect(h.lines.map((l) => l.kind)).toEqual([
      "init",
      "assistant",
      "result",
      "init",
      "assistant",
      "result",
    ]);
  });

  it("follows its script and honours an aborted signal", async () => {
    const h = simHarness();
    const driver = createDriver("in-process", {
      inProcessScript: (req) =>
        req.invocation.prompt === "fail"
          ? { apiErrorStatus: 400, output: "API Error: 400" }
          : { costUsd: 0.5 },
    });
    const slot = driver.slot("s0");
    expect(spendOfRun(await slot.run(h.request("x")), 0).spendMicros).toBe(500_000);
    const failed = await slot.run(h.request("fail"));
    expect(failed.result?.is_error).toBe(true);
    expect(failed.apiErrorStatus).toBe(400);
    expect(failed.assistantReplied).toBe(false);
    const c = new AbortController();
    c.abort("cancel");
    const stopped = await slot.run(h.request("y", {}, { signal: c.signal }));
    expect(stopped.killedFor).toBe("cancel");
    expect(stopped.result).toBeNull();
  });

  it("gives each kind from the factory", () => {
    expect(createDriver("cold").kind).toBe("cold");
    expect(createDriver("warm").kind).toBe("warm");
    expect(createDriver("in-process").kind).toBe("in-process");
  });
});
