import type { PoolEvents } from "../domain/events.js";
import { microsToUsd } from "../domain/money.js";
import type { TaskErrorInfo, TaskResult } from "../domain/types.js";
import type { RunOutcome } from "../driver/run.js";
import { ZERO_TOKENS } from "../store/memory.js";
import type { BudgetState, Store, TaskRecord } from "../store/port.js";
import type { RunSpend, Verdict } from "./outcome.js";
import type { Slot } from "./slot.js";
import type { TaskWaiters } from "./waiters.js";

export type TaskEnd =
  | { status: "completed"; result: TaskResult }
  | { status: "failed" | "cancelled" | "timed_out"; error: TaskErrorInfo };

export interface SettlementDeps {
  poolId: string;
  engineId: string;
  store: Store;
  events: PoolEvents;
  waiters: TaskWaiters;
  /** How long a usage limit without a reset time parks the task. */
  quotaRetryMs: number;
  /** Runs the claim loop again at this time (a parked task becomes claimable). */
  wakeAt: (at: Date) => void;
}

/**
 * How a task's end is recorded: finished or parked in the store first, then the slot is freed
 * and counted, then the end is announced and waiters are woken. Only the engine holding the
 * task may settle it; when the store says we no longer do, nothing is announced.
 */
export class Settlement {
  readonly #d: SettlementDeps;

  constructor(deps: SettlementDeps) {
    this.#d = deps;
  }

  /** Turns a run's verdict into the task's end (or a park until the usage limit resets). */
  async conclude(
    slot: Slot,
    task: TaskRecord,
    verdict: Verdict,
    spend: RunSpend,
    outcome: RunOutcome,
  ): Promise<void> {
    switch (verdict.kind) {
      case "lease_lost":
        return; // another engine owns the task now
      case "quota":
        await this.park(
          task,
          verdict.resetsAt ?? new Date(Date.now() + this.#d.quotaRetryMs),
          verdict.message,
          spend,
          outcome.sessionId,
        );
        return;
      case "completed": {
        const result: TaskResult = {
          taskId: task.id,
          output: verdict.output,
          ...(verdict.structuredOutput === undefined ? {} : { structuredOutput: verdict.structuredOutput }),
          spendUsd: microsToUsd(spend.spendMicros),
          tokens: spend.tokens,
          sessionId: outcome.sessionId ?? "",
          slotId: slot.id,
          model: spend.model ?? "",
          turns: spend.turns,
          durationMs: outcome.durationMs,
        };
        await this.finish(slot, task, { status: "completed", result }, spend, outcome.sessionId);
        return;
      }
      case "missing_session":
        await this.finish(
          slot,
          task,
          {
            status: "failed",
            error: { code: "TASK_FAILED", message: verdict.message, reason: "missing_session" },
          },
          spend,
          outcome.sessionId,
        );
        return;
      case "ended":
        await this.finish(
          slot,
          task,
          { status: verdict.status, error: verdict.error },
          spend,
          outcome.sessionId,
        );
        return;
    }
  }

  /**
   * A usage limit is per account: parks the slot's credential until `until` in the store (no slot
   * of any engine with that credential claims before then) and holds the pool's pending tasks,
   * each announced as waiting for quota. The limited task itself is parked by `park` as before.
   */
  async parkCredential(slot: Slot, until: Date, limitedTaskId: string): Promise<void> {
    const parked = await this.#d.store.parkCredential({
      poolId: this.#d.poolId,
      credential: slot.credential,
      until,
    });
    const resetsAt = parked.until.toISOString();
    for (const taskId of parked.heldTaskIds) {
      if (taskId !== limitedTaskId) this.#d.events.emit({ type: "task.waiting_for_quota", taskId, resetsAt });
    }
    this.#d.wakeAt(parked.until);
  }

  /** Parks the task as `waiting_for_quota` until `runAfter`; it resumes its session then. */
  async park(
    task: TaskRecord,
    runAfter: Date,
    message: string,
    spend: RunSpend,
    sessionId: string | null,
  ): Promise<void> {
    const parked = await this.#d.store.parkTask(task.id, {
      engineId: this.#d.engineId,
      runAfter,
      claudeSessionId: sessionId,
      spendMicros: spend.spendMicros,
      tokens: spend.tokens,
      error: { code: "QUOTA_EXHAUSTED", message, reason: "usage_limit" },
    });
    if (!parked) return;
    this.#d.events.emit({
      type: "task.waiting_for_quota",
      taskId: task.id,
      resetsAt: runAfter.toISOString(),
    });
    this.#d.wakeAt(runAfter);
    await this.announceBudget();
  }

  async finish(
    slot: Slot,
    task: TaskRecord,
    end: TaskEnd,
    spend: RunSpend | null,
    sessionId: string | null = null,
  ): Promise<void> {
    const finished = await this.#d.store.finishTask(task.id, {
      engineId: this.#d.engineId,
      status: end.status,
      result: end.status === "completed" ? end.result : null,
      error: end.status === "completed" ? null : end.error,
      spendMicros: spend?.spendMicros ?? 0,
      tokens: spend?.tokens ?? ZERO_TOKENS,
      model: spend?.model ?? null,
      turns: spend?.turns ?? 0,
      claudeSessionId: sessionId,
    });
    if (!finished) return;
    // Read while the slot is saved (both after the settlement): one round trip less between the
    // process's exit and the slot's next claim. Announced in the same order as before; not read
    // at all when nobody hears the announcement.
    const budget = this.#d.events.heard("budget.updated") ? this.#d.store.getBudget(this.#d.poolId) : null;
    budget?.catch(() => {}); // a failure surfaces at the await below, not as an unhandled rejection
    // The process has ended: the slot is free before anyone hears that the task has.
    slot.release(task.id);
    slot.countEnd(end.status);
    await this.saveSlot(slot);
    if (end.status === "completed") {
      this.#d.events.emit({ type: "task.completed", taskId: task.id, result: end.result });
    } else {
      this.#d.events.emit({ type: "task.failed", taskId: task.id, status: end.status, error: end.error });
    }
    this.#d.waiters.wake(task.id, end.status === "completed" ? end.result : undefined);
    if (budget) this.#emitBudget(await budget);
  }

  async announceBudget(): Promise<void> {
    if (!this.#d.events.heard("budget.updated")) return;
    this.#emitBudget(await this.#d.store.getBudget(this.#d.poolId));
  }

  #emitBudget(b: BudgetState): void {
    this.#d.events.emit({
      type: "budget.updated",
      spentUsd: microsToUsd(b.spentMicros),
      reservedUsd: microsToUsd(b.reservedMicros),
      budgetUsd: b.capMicros === null ? null : microsToUsd(b.capMicros),
    });
  }

  async saveSlot(slot: Slot): Promise<void> {
    await this.#d.store.upsertSlot(slot.record);
    this.slotSaved(slot);
  }

  /** Announces the slot as the store now has it. */
  slotSaved(slot: Slot): void {
    if (this.#d.events.heard("slot.updated"))
      this.#d.events.emit({ type: "slot.updated", slot: slot.info() });
  }
}
