import { randomUUID } from "node:crypto";
import type { ResultMessage } from "./messages.js";
import type { Driver, SlotDriver } from "./port.js";
import type { RunOutcome, RunRequest } from "./run.js";
import { abortReason, emptyOutcome } from "./turn.js";

/** What the in-process driver answers for one task; every field has a default. */
export interface InProcessReply {
  /** Default: `"in-process: " + the prompt's first 80 characters`. */
  output?: string;
  /** USD for the task; default 0.0001. */
  costUsd?: number;
  /** Default 100 in / 20 out / 0 cache. */
  tokens?: { input: number; output: number; cacheRead: number; cacheWrite: number };
  /** Answer like an API error (`is_error: true`, `api_error_status`). */
  apiErrorStatus?: number;
}
export type InProcessScript = (req: RunRequest) => InProcessReply | undefined;

const ALIASES: Record<string, string> = {
  sonnet: "claude-sonnet-5-5",
  opus: "claude-opus-5-5",
  haiku: "claude-haiku-5-5",
};
const DEFAULT_MODEL = "claude-sonnet-5-5";

/**
 * Spawns nothing: every task ends at once with a result line shaped like the real CLI's
 * (init, one assistant line, result with cumulative `total_cost_usd` and this turn's
 * `model_usage_since_last_result`). For benchmarks of the pool alone and tests of pool logic
 * that need no process. An aborted signal ends the task stopped, without a result.
 */
export function createInProcessDriver(script?: InProcessScript): Driver {
  const sessionTotals = new Map<string, number>();
  const ids = uuidSequence();
  const slots = new Map<string, SlotDriver>();
  const slot: SlotDriver = {
    warm: true,
    run: async (req) => runInProcess(req, script?.(req) ?? {}, sessionTotals, ids),
    retire: () => {},
    close: async () => {},
  };
  return {
    kind: "in-process",
    slot(slotId) {
      let s = slots.get(slotId);
      if (!s) {
        s = { ...slot };
        slots.set(slotId, s);
      }
      return s;
    },
    async close() {
      slots.clear();
    },
  };
}

/**
 * UUID-shaped ids from one random prefix and a counter: unique within the driver and cheap,
 * since a benchmark of the pool alone makes three per task. Decoded from a buffer as one flat
 * string: a concatenation would keep a string chain alive in every stored line.
 */
function uuidSequence(): () => string {
  const text = Buffer.from(randomUUID(), "latin1");
  let n = 0;
  return () => {
    text.write((n++).toString(16).padStart(12, "0"), 24, "latin1");
    return text.toString("latin1");
  };
}

function runInProcess(
  req: RunRequest,
  reply: InProcessReply,
  totals: Map<string, number>,
  newUuid: () => string,
): RunOutcome {
  const outcome = emptyOutcome("in-process", false);
  const inv = req.invocation;
  const sessionId =
    (inv.forkSession ? inv.newSessionId : inv.resumeSessionId) ?? inv.newSessionId ?? newUuid();
  const model = ALIASES[inv.config.model ?? ""] ?? inv.config.model ?? DEFAULT_MODEL;
  outcome.sessionId = sessionId;
  outcome.model = model;
  if (req.signal.aborted) {
    outcome.killedFor = abortReason(req.signal);
    return outcome;
  }
  req.onLine({
    kind: "init",
    raw: { type: "system", subtype: "init", session_id: sessionId, model, cwd: req.cwd },
  });

  const cost = reply.costUsd ?? 0.0001;
  const t = reply.tokens ?? { input: 100, output: 20, cacheRead: 0, cacheWrite: 0 };
  const usage = {
    input_tokens: t.input,
    output_tokens: t.output,
    cache_read_input_tokens: t.cacheRead,
    cache_creation_input_tokens: t.cacheWrite,
  };
  const entry = {
    inputTokens: t.input,
    outputTokens: t.output,
    cacheReadInputTokens: t.cacheRead,
    cacheCreationInputTokens: t.cacheWrite,
    costUSD: cost,
  };
  const failed = reply.apiErrorStatus !== undefined;
  const text = reply.output ?? `in-process: ${inv.prompt.slice(0, 80)}`;
  const assistantUuid = newUuid();
  req.onLine({
    kind: "assistant",
    raw: {
      type: "assistant",
      session_id: sessionId,
      uuid: assistantUuid,
      message: {
        id: `msg_inproc_${assistantUuid.slice(0, 8)}`,
        model: failed ? "<synthetic>" : model,
        content: [{ type: "text", text }],
        usage,
      },
      ...(failed ? { api_error_status: reply.apiErrorStatus } : {}),
    },
  });
  // Cumulative per session, as the CLI's total_cost_usd; only resumed sessions need remembering.
  const total = (inv.resumeSessionId ? (totals.get(sessionId) ?? 0) : 0) + cost;
  if (totals.size > 100_000) totals.clear(); // a benchmark of fresh sessions must not grow it forever
  totals.set(sessionId, total);
  const result: ResultMessage = {
    type: "result",
    subtype: "success",
    is_error: failed,
    result: text,
    session_id: sessionId,
    total_cost_usd: total,
    num_turns: 1,
    duration_ms: 0,
    usage,
    modelUsage: {
      [model]: {
        inputTokens: entry.inputTokens,
        outputTokens: entry.outputTokens,
        cacheReadInputTokens: entry.cacheReadInputTokens,
        cacheCreationInputTokens: entry.cacheCreationInputTokens,
        costUSD: total,
      },
    },
    model_usage_since_last_result: { [model]: entry },
    api_error_status: reply.apiErrorStatus ?? null,
    uuid: newUuid(),
    result_index: 0,
    stop_reason: failed ? "stop_sequence" : "end_turn",
    terminal_reason: failed ? "api_error" : "completed",
  };
  req.onLine({ kind: "result", raw: result });
  outcome.result = result;
  outcome.assistantReplied = !failed;
  outcome.lastGoodMessageUuid = failed ? null : assistantUuid;
  outcome.apiErrorStatus = reply.apiErrorStatus ?? null;
  outcome.streamedCostMicros = Math.round(cost * 1e6);
  outcome.exitCode = failed ? 1 : 0;
  return outcome;
}
