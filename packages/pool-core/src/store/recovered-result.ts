import { microsToUsd, usdToMicros } from "../domain/money.js";
import type { TaskResult } from "../domain/types.js";
import { type ResultMessage, resultSchema } from "../driver/messages.js";
import { emptyOutcome } from "../driver/turn.js";
import { spendOfRun } from "../pool/outcome.js";
import type { ClaimedTask, ClaimRequest, Store, TaskEvent } from "./port.js";

/**
 * Claims the next task the slot may run, like `store.claimNextTask`, but never hands out one whose
 * work is already done: a task taken over from a dead engine whose run had stored its successful
 * `result` line (the engine died before settling) is settled from that line and the next task is
 * claimed instead. Running it again would do, and bill, the work twice. The same in every store:
 * the logic is here, the store only answers reads.
 */
export async function claimRunnableTask(store: Store, claim: ClaimRequest): Promise<ClaimedTask | undefined> {
  let savedBusy = false;
  for (;;) {
    const task = await store.claimNextTask(claim);
    if (task?.claimedFrom !== "running") {
      // A claim saved the slot busy with a task settled here, and then nothing was left: idle again.
      if (!task && savedBusy && claim.slot) await store.upsertSlot(claim.slot);
      return task;
    }
    savedBusy ||= task.slotSaved === true;
    if (!(await settleRecordedResult(store, task, claim.engineId))) return task;
  }
}

/**
 * Settles a task taken over from a dead engine from the successful `result` line its last run
 * stored, if there is one: completed, with that run's spend (its `model_usage_since_last_result`, or
 * its cumulative `total_cost_usd` minus the session's previous total). Returns whether it did.
 */
export async function settleRecordedResult(
  store: Store,
  task: ClaimedTask,
  engineId: string,
): Promise<boolean> {
  const recorded = lastRunResult(await store.listTaskEvents(task.id));
  if (!recorded) return false;
  const { line, event } = recorded;
  const previousTotal = await previousSessionTotal(store, line.session_id, event);
  const spend = spendOfRun(
    { ...emptyOutcome("cold", true), result: line, sessionId: line.session_id },
    previousTotal,
  );
  const result: TaskResult = {
    taskId: task.id,
    output: line.result ?? "",
    ...(line.structured_output === undefined ? {} : { structuredOutput: line.structured_output }),
    spendUsd: microsToUsd(spend.spendMicros),
    tokens: spend.tokens,
    sessionId: line.session_id,
    slotId: task.slotId ?? "",
    model: spend.model ?? "",
    turns: spend.turns,
    durationMs: line.duration_ms ?? 0,
  };
  return store.finishTask(task.id, {
    engineId,
    status: "completed",
    result,
    error: null,
    spendMicros: spend.spendMicros,
    tokens: spend.tokens,
    model: spend.model,
    turns: spend.turns,
    claudeSessionId: line.session_id,
  });
}

/** The successful result line of the task's last run (after its last `process` event), if it stored one. */
function lastRunResult(events: TaskEvent[]): { line: ResultMessage; event: TaskEvent } | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i];
    if (!event || event.kind === "process") return undefined;
    if (event.kind !== "result") continue;
    const line = successfulResult(event.payload);
    return line ? { line, event } : undefined;
  }
  return undefined;
}

function successfulResult(payload: unknown): ResultMessage | undefined {
  const parsed = resultSchema.safeParse(payload);
  if (!parsed.success || parsed.data.is_error || parsed.data.subtype !== "success") return undefined;
  return parsed.data;
}

/** The session's highest successful total before this result (what earlier runs of the session cost). */
async function previousSessionTotal(store: Store, sessionId: string, event: TaskEvent): Promise<number> {
  if (!sessionId) return 0;
  let before = 0;
  for (const e of await store.listSessionResults(sessionId)) {
    if (e.taskId === event.taskId && e.seq === event.seq) continue;
    if (e.at.getTime() > event.at.getTime()) continue;
    const line = successfulResult(e.payload);
    if (line) before = Math.max(before, usdToMicros(line.total_cost_usd));
  }
  return before;
}
