import type { TaskResult } from "../domain/types.js";
import { copyData } from "../store/record-copy.js";

/**
 * Callers waiting for a task to change (`result(id, { wait: true })`). A store notification wakes
 * them at once; since notifications can be missed across processes, each wait also ends after
 * the poll interval so the caller re-reads the record regardless.
 */
export class TaskWaiters {
  readonly #waiters = new Map<string, Set<(result?: TaskResult) => void>>();
  readonly #pollMs: number;
  #closed = false;

  constructor(pollMs: number) {
    this.#pollMs = pollMs;
  }

  /**
   * Resolves when the task may have changed (woken, polled, or the signal aborted); with the
   * task's result when this engine settled it completed (see `wake`).
   */
  wait(taskId: string, signal?: AbortSignal): Promise<TaskResult | undefined> {
    return new Promise((resolve) => {
      let set = this.#waiters.get(taskId);
      if (!set) {
        set = new Set();
        this.#waiters.set(taskId, set);
      }
      const woken = (result?: TaskResult) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        set.delete(woken);
        if (set.size === 0) this.#waiters.delete(taskId);
        // Each waiter its own copy: what one caller changes, no other (nor the store) sees.
        resolve(result === undefined ? undefined : copyData(result));
      };
      // Timer and abort wake without a result (an abort listener is called with the Event).
      const done = () => woken();
      // After close, nothing here announces changes any more: re-read often.
      const timer = setTimeout(done, this.#closed ? 50 : this.#pollMs);
      signal?.addEventListener("abort", done, { once: true });
      set.add(woken);
    });
  }

  /**
   * Wakes the task's waiters. `completed`: the result this engine just stored with the task's end,
   * so a waiter returns it without reading the task again (one read a task less).
   */
  wake(taskId: string, completed?: TaskResult): void {
    const set = this.#waiters.get(taskId);
    if (set) for (const w of [...set]) w(completed);
  }

  /** Wakes everyone (the pool is closing); later waits poll quickly. */
  close(): void {
    this.#closed = true;
    for (const set of [...this.#waiters.values()]) for (const w of [...set]) w(undefined);
  }
}
