import { microsToUsd } from "../domain/money.js";
import type { PoolConfig } from "../domain/options.js";
import { usesBypassPermissions } from "../domain/permissions.js";
import type { PoolStatus } from "../domain/types.js";
import type { Store } from "../store/port.js";
import type { Slot } from "./slot.js";
import { usageLimitOf } from "./usage-limits.js";

/** The pool's status as `Pool.status()` answers it: this engine's slots, the store's queue and budget. */
export async function poolStatus(
  store: Store,
  poolId: string,
  slots: readonly Slot[],
  config: PoolConfig,
): Promise<PoolStatus> {
  // The three reads at once: a live status board waits for one round trip, not three.
  const [budget, pendingTasks, usageLimit] = await Promise.all([
    store.getBudget(poolId),
    store.countPendingTasks(poolId),
    usageLimitOf(store, poolId),
  ]);
  return {
    slots: slots.map((s) => s.info()),
    activeTasks: slots.filter((s) => s.busy).length,
    pendingTasks,
    spendUsd: microsToUsd(budget.spentMicros),
    reservedUsd: microsToUsd(budget.reservedMicros),
    budgetUsd: budget.capMicros === null ? null : microsToUsd(budget.capMicros),
    usageLimit,
    // Marked so a dashboard can say so: some slot runs without permission prompts.
    bypassPermissions: usesBypassPermissions(
      config,
      slots.map((s) => s.config),
    ),
  };
}
