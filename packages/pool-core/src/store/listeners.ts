import type { StoreNotification } from "./port.js";

type Listener = (note: StoreNotification) => void;

/** Per-pool subscribers of a Store's notifications (shared by the in-memory and SQL stores). */
export class StoreListeners {
  #byPool = new Map<string, Set<Listener>>();

  add(poolId: string, listener: Listener): () => void {
    let set = this.#byPool.get(poolId);
    if (!set) {
      set = new Set();
      this.#byPool.set(poolId, set);
    }
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Calls every subscriber of the pool; one that throws does not stop the others hearing of it. */
  deliver(poolId: string, note: StoreNotification): void {
    const set = this.#byPool.get(poolId);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(note);
      } catch {
        // the subscriber's problem, not the store's
      }
    }
  }

  clear(): void {
    this.#byPool.clear();
  }
}
