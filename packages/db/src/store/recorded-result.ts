import { type TaskResult, type TokenUsage, usdToMicros } from "@claude-pool/core";
import { and, desc, eq, type SQL, sql } from "drizzle-orm";
import { queryRows, type Tx } from "../client.js";
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
    .select({ payload: taskEvents.payload, at: taskEvents.at })
    .from(taskEvents)
    .where(and(eq(taskEvents.taskId, taskId), eq(taskEvents.kind, "result")))
    .orderBy(desc(taskEvents.seq))
    .limit(1);
  const line = event ? parseResultLine(event.payload) : undefined;
  if (!line || !event) return false;
  // total_cost_usd is cumulative over a resumed session (which may span a slot's earlier tasks):
  // this run's spend is the difference against the session's previous result line.
  const before = line.sessionId ? await previousSessionTotalUsd(tx, line.sessionId, taskId, event.at) : 0;
  const spendUsd = Math.max(0, line.costUsd - before);
  const [task] = await tx
    .select({ slotId: tasks.slotId, startedAt: tasks.startedAt })
    .from(tasks)
    .where(eq(tasks.id, taskId));
  const result: TaskResult = {
    taskId,
    output: line.output,
    spendUsd,
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
    spendMicros: usdToMicros(spendUsd),
    tokens: line.tokens,
    model: line.model,
    turns: line.turns,
    claudeSessionId: line.sessionId || null,
    result,
    error: null,
    runAfter: null,
    owner: null,
    now,
    channel,
  });
}

async function previousSessionTotalUsd(tx: Tx, sessionId: string, taskId: string, at: Date): Promise<number> {
  const rows = await queryRows<{ total: string | number | null }>(
    tx,
    sql`select max((payload->>'total_cost_usd')::float8) as total from task_events
      where kind = 'result' and payload->>'session_id' = ${sessionId}::text
        and (payload->>'is_error') = 'false' and at <= ${at.toISOString()}::timestamptz
        and not (task_id = ${taskId}::uuid and at = ${at.toISOString()}::timestamptz)`,
  );
  return Number(rows[0]?.total ?? 0);
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
