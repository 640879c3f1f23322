import { type TaskResult, type TokenUsage, usdToMicros } from "@claude-pool/core";
import { and, desc, eq, type SQL } from "drizzle-orm";
import type { Tx } from "../client.js";
import { taskEvents, tasks } from "../schema/index.js";
import { settleTask } from "./settle.js";

/**
 * A task taken over from a dead engine may already have finished: its `result` line was stored, the
 * engine died before settling. Running it again would do (and bill) the work twice, so it is settled
 * from that line instead. Returns true when the task was settled this way.
 */
export async function settleFromRecordedResult(
  tx: Tx,
  taskId: string,
  now: SQL,
  channel: string,
): Promise<boolean> {
  const [event] = await tx
    .select({ payload: taskEvents.payload })
    .from(taskEvents)
    .where(and(eq(taskEvents.taskId, taskId), eq(taskEvents.kind, "result")))
    .orderBy(desc(taskEvents.seq))
    .limit(1);
  const line = event ? parseResultLine(event.payload) : undefined;
  if (!line) return false;
  const [task] = await tx
    .select({ slotId: tasks.slotId, startedAt: tasks.startedAt })
    .from(tasks)
    .where(eq(tasks.id, taskId));
  const result: TaskResult = {
    taskId,
    output: line.output,
    spendUsd: line.costUsd,
    tokens: line.tokens,
    sessionId: line.sessionId,
    slotId: task?.slotId ?? "",
    model: line.model ?? "",
    turns: line.turns,
    durationMs: line.durationMs,
  };
  return settleTask(tx, {
    taskId,
    from: ["running"],
    to: "completed",
    spendMicros: usdToMicros(line.costUsd),
    tokens: line.tokens,
    model: line.model,
    turns: line.turns,
    claudeSessionId: line.sessionId || null,
    result,
    error: null,
    runAfter: null,
    now,
    channel,
  });
}

interface ResultLine {
  output: string;
  costUsd: number;
  tokens: TokenUsage;
  sessionId: string;
  model: string | null;
  turns: number;
  durationMs: number;
}

/** Reads a stream-json `result` line that reports success; anything else yields undefined. */
export function parseResultLine(payload: unknown): ResultLine | undefined {
  if (!isRecord(payload) || payload.type !== "result") return undefined;
  if (payload.is_error !== false || payload.subtype !== "success") return undefined;
  const usage = isRecord(payload.usage) ? payload.usage : {};
  const modelUsage = isRecord(payload.modelUsage) ? Object.keys(payload.modelUsage) : [];
  return {
    output: typeof payload.result === "string" ? payload.result : "",
    costUsd: num(payload.total_cost_usd),
    tokens: {
      input: num(usage.input_tokens),
      output: num(usage.output_tokens),
      cacheRead: num(usage.cache_read_input_tokens),
      cacheWrite: num(usage.cache_creation_input_tokens),
    },
    sessionId: typeof payload.session_id === "string" ? payload.session_id : "",
    model: modelUsage[0] ?? null,
    turns: num(payload.num_turns),
    durationMs: num(payload.duration_ms),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function num(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}
