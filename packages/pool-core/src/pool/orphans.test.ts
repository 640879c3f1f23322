import { describe, expect, it } from "vitest";
import type { TaskEvent } from "../store/port.js";
import { deadRunSpend } from "./orphans.js";

let seq = 0;
function event(kind: string, payload: unknown = {}): TaskEvent {
  seq += 1;
  return { taskId: "t", seq, kind, payload, at: new Date() };
}

/** One API call's assistant line (the CLI writes one line per content block, all with the call's usage). */
function assistant(id: string, outputTokens: number): TaskEvent {
  return event("assistant", {
    type: "assistant",
    message: {
      id,
      model: "claude-sonnet-5-5",
      content: [{ type: "text", text: "…" }],
      usage: { input_tokens: 0, output_tokens: outputTokens },
    },
  });
}

describe("deadRunSpend", () => {
  it("prices each API call the dead run made once, ignoring earlier runs", () => {
    const events = [
      event("process", { pid: 1, host: "h" }),
      assistant("msg_old", 50_000),
      event("result", { type: "result" }),
      event("process", { pid: 2, host: "h" }),
      event("system", { type: "system", subtype: "init" }),
      assistant("msg_1", 1_000),
      assistant("msg_1", 1_000),
      event("user", { type: "user" }),
      assistant("msg_2", 2_000),
    ];
    // sonnet-5-5 output: $10 per million tokens = 10 micro-dollars per token.
    expect(deadRunSpend(events)).toBe(30_000);
  });

  it("is zero when the last run reached its result line, or made no call", () => {
    expect(deadRunSpend([event("process"), assistant("m", 1_000), event("result")])).toBe(0);
    expect(deadRunSpend([event("process"), event("system")])).toBe(0);
    expect(deadRunSpend([])).toBe(0);
  });
});
