import type { UsageLimitStatus } from "../domain/types.js";
import type { Store } from "../store/port.js";

/**
 * What status shows of the pool's usage limits: the end of the earliest credential park still in
 * force (when its slots claim again) and how many tasks wait for quota. Null when no account of
 * the pool is parked. Read from the store, so every engine of the pool shows the same.
 */
export async function usageLimitOf(store: Store, poolId: string): Promise<UsageLimitStatus | null> {
  const [first] = await store.listCredentialParks(poolId);
  if (!first) return null;
  const waiting = await store.listTasks({ poolId, status: ["waiting_for_quota"] });
  return { until: first.until.toISOString(), parkedTasks: waiting.length };
}
