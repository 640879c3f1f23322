import { checkContextEntry } from "../domain/context-limits.js";
import type { Store } from "../store/port.js";

/**
 * Context writes of one pool in this process run one at a time, so two concurrent `contextSet`s
 * cannot pass the total limit together (each is checked against what the other stored). Engines
 * in other processes sharing the store are not serialized with these: at the same instant they can
 * pass the total by at most one value each.
 */
const pending = new WeakMap<Store, Map<string, Promise<void>>>();

/** Checks the limits against the stored entries, then stores; nothing is stored when refused. */
export function setContextChecked(store: Store, poolId: string, key: string, value: string): Promise<void> {
  let byPool = pending.get(store);
  if (!byPool) {
    byPool = new Map();
    pending.set(store, byPool);
  }
  const queue = byPool;
  const write = (queue.get(poolId) ?? Promise.resolve()).then(async () => {
    checkContextEntry(key, value, await store.contextList(poolId));
    await store.contextSet(poolId, key, value);
  });
  const tail = write.catch(() => undefined);
  queue.set(poolId, tail);
  void tail.then(() => {
    if (queue.get(poolId) === tail) queue.delete(poolId);
  });
  return write;
}
