import { type Micros, microsToUsd } from "../domain/money.js";
import type { TaskErrorInfo } from "../domain/types.js";
import type { Store, TaskEvent } from "../store/port.js";

/** What the task had said before its budget stopped it: the text of this run's assistant messages. */
export function partialOutputOf(events: TaskEvent[]): string {
  let start = 0;
  for (let i = events.length - 1; i >= 0; i--) {
    if (events[i]?.kind === "process") {
      start = i + 1;
      break;
    }
  }
  const parts: string[] = [];
  for (const event of events.slice(start)) {
    if (event.kind !== "assistant") continue;
    for (const text of assistantTexts(event.payload)) parts.push(text);
  }
  return parts.join("\n");
}

function assistantTexts(payload: unknown): string[] {
  if (typeof payload !== "object" || payload === null || !("message" in payload)) return [];
  const message = payload.message;
  if (typeof message !== "object" || message === null || !("content" in message)) return [];
  const content = message.content;
  if (!Array.isArray(content)) return [];
  return content.flatMap((block: unknown) =>
    typeof block === "object" &&
    block !== null &&
    "type" in block &&
    block.type === "text" &&
    "text" in block &&
    typeof block.text === "string"
      ? [block.text]
      : [],
  );
}

export interface BudgetStop {
  /** The reservation the task ran under (its `--max-budget-usd`). */
  reservedMicros: Micros;
  spentMicros: Micros;
  partialOutput: string;
  /** Who stopped it: the CLI's own backstop (`error_max_budget_usd`) or the pool's stream watcher. */
  stoppedBy: "cli" | "pool";
}

/**
 * The error of a task stopped by its budget reservation: reason `budget`, the figures, and what it
 * had produced so far (`details.partialOutput`), so the money spent is not for nothing.
 */
export function budgetStopError(stop: BudgetStop): TaskErrorInfo {
  return {
    code: "BUDGET_EXCEEDED",
    message:
      `stopped by its budget: it spent $${microsToUsd(stop.spentMicros)} of the $${microsToUsd(stop.reservedMicros)}` +
      ` reserved for it${stop.partialOutput ? "; its partial output is kept" : " before it produced any output"}`,
    reason: "budget",
    details: {
      reservedUsd: microsToUsd(stop.reservedMicros),
      spentUsd: microsToUsd(stop.spentMicros),
      stoppedBy: stop.stoppedBy,
      partialOutput: stop.partialOutput,
    },
  };
}

/** Whether a run's error says its budget reservation stopped it (the CLI's backstop or the pool's watcher). */
export function isBudgetStop(error: TaskErrorInfo): boolean {
  return error.reason === "error_max_budget_usd" || error.reason === "over_reservation";
}

/**
 * Rewrites the error of a run its reservation stopped into the `budget` error, with the output it
 * had produced read back from the task's persisted events.
 */
export async function budgetStopOf(
  store: Store,
  taskId: string,
  reservedMicros: Micros,
  spentMicros: Micros,
  error: TaskErrorInfo,
): Promise<TaskErrorInfo> {
  const partialOutput = partialOutputOf(await store.listTaskEvents(taskId));
  return budgetStopError({
    reservedMicros,
    spentMicros,
    partialOutput,
    stoppedBy: error.reason === "error_max_budget_usd" ? "cli" : "pool",
  });
}
