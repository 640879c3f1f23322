import { BudgetExceeded, Cancelled, QuotaExhausted, TaskFailed, Timeout } from "../domain/errors.js";
import type { TaskErrorInfo, TaskResult } from "../domain/types.js";
import type { TaskRecord } from "../store/port.js";

/** A finished task's result, or the typed error its record describes. */
export function resultOrThrow(task: TaskRecord): TaskResult {
  if (task.status === "completed" && task.result) return task.result;
  const e = task.error ?? { code: "TASK_FAILED", message: `ended ${task.status}` };
  const d = e.details ?? {};
  const num = (v: unknown) => (typeof v === "number" ? v : null);
  if (task.status === "cancelled") throw new Cancelled(task.id);
  if (task.status === "timed_out") {
    const detail = e.reason === "timeout" ? null : e.message;
    throw new Timeout(task.id, task.timeoutMs ?? 0, detail, num(d.apiErrorStatus));
  }
  if (e.code === "BUDGET_EXCEEDED") {
    throw new BudgetExceeded(
      `task ${task.id}: ${e.message}`,
      num(d.remainingUsd) ?? 0,
      num(d.requiredUsd) ?? 0,
      {
        reason: e.reason ?? "budget_exceeded",
        partialOutput: typeof d.partialOutput === "string" ? d.partialOutput : null,
      },
    );
  }
  if (e.code === "QUOTA_EXHAUSTED") {
    throw new QuotaExhausted(`task ${task.id}: ${e.message}`, task.runAfter, num(d.apiErrorStatus));
  }
  throw new TaskFailed(task.id, e.message, e.reason ?? "failed", {
    exitCode: num(d.exitCode),
    apiErrorStatus: num(d.apiErrorStatus),
  });
}

/** An unexpected error while running a task (the CLI missing, the store failing) as its end. */
export function failureFromError(err: unknown): { status: "failed"; error: TaskErrorInfo } {
  const code =
    typeof err === "object" && err !== null && "code" in err && typeof err.code === "string"
      ? err.code
      : "TASK_FAILED";
  return {
    status: "failed",
    error: { code, message: err instanceof Error ? err.message : String(err), reason: "internal" },
  };
}
