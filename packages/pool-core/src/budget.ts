import { BudgetExceeded } from "./errors.js";
import { type Micros, microsToUsd, usdToMicros } from "./money.js";
import type { PoolConfig } from "./options.js";
import type { BudgetState, Store, TaskRecord } from "./store/port.js";
import type { TaskErrorInfo } from "./types.js";

/**
 * Budget admission for one pool: a task reserves `min(its cap, remaining)` before it starts,
 * through the store's atomic `reserveBudget`, so `spent + reserved ≤ cap` holds however many
 * tasks (or engines) race. Settlement happens in the store's `finishTask`.
 */
export class BudgetAdmission {
  constructor(
    private readonly store: Store,
    private readonly poolId: string,
    private readonly config: PoolConfig,
    private readonly slotCount: number,
  ) {}

  get #minimum(): Micros {
    return usdToMicros(this.config.minTaskBudgetUsd);
  }

  /** Throws BudgetExceeded when what is left cannot cover the smallest task (checked at submit). */
  async assertRemains(): Promise<void> {
    const b = await this.store.getBudget(this.poolId);
    if (b.capMicros === null) return;
    const remaining = remainingOf(b);
    if (remaining < this.#minimum) {
      throw new BudgetExceeded(
        `the pool's budget is spent: $${microsToUsd(remaining)} left of $${microsToUsd(b.capMicros)}, a task needs at least $${microsToUsd(this.#minimum)}`,
        microsToUsd(remaining),
        microsToUsd(this.#minimum),
      );
    }
  }

  /**
   * Reserves the task's budget. The default per-task cap, when neither the task nor the pool's
   * `taskBudgetUsd` sets one, is the cap divided by the slots (so every slot can run at once).
   * Returns null when there is nothing to reserve against (no cap, no task cap), "refused" when
   * the remaining budget cannot cover the minimum.
   */
  async reserve(task: TaskRecord): Promise<Micros | null | "refused"> {
    const c = this.config;
    const budget = await this.store.getBudget(this.poolId);
    const poolDefault =
      c.taskBudgetUsd !== undefined
        ? usdToMicros(c.taskBudgetUsd)
        : budget.capMicros !== null
          ? Math.floor(budget.capMicros / this.slotCount)
          : null;
    const desired = task.maxBudgetMicros ?? poolDefault;
    if (desired === null) return null;
    const granted = await this.store.reserveBudget(
      this.poolId,
      task.id,
      desired,
      Math.min(desired, this.#minimum),
    );
    return granted ?? "refused";
  }

  /** Why a task was refused at start, with the figures. */
  async refusal(): Promise<TaskErrorInfo> {
    const remaining = remainingOf(await this.store.getBudget(this.poolId));
    return {
      code: "BUDGET_EXCEEDED",
      message: `the remaining budget ($${microsToUsd(remaining)}) cannot cover the task`,
      reason: "budget_exceeded",
      details: { remainingUsd: microsToUsd(remaining), requiredUsd: this.config.minTaskBudgetUsd },
    };
  }
}

function remainingOf(b: BudgetState): Micros {
  return b.capMicros === null ? 0 : Math.max(0, b.capMicros - b.spentMicros - b.reservedMicros);
}
