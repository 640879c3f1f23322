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
   * Registers a waiter at once: `next` resolves when the task may have changed (woken, polled, or
   * the signal aborted); with the task's result when this engine settled it completed (see
   * `wake`). Arm before reading the task, so a wake that lands between the read and the wait is
   * not lost (that cost a whole poll interval: ~1 s per task when the task ended in that gap);
   * `cancel()` when the read made the wait unnecessary.
   */
  arm(taskId: string, signal?: AbortSignal): { next: Promise<TaskResult | undefined>; cancel(): void } {
    let set = this.#waiters.get(taskId);
    if (!set) {
      set = new Set();
      this.#waiters.set(taskId, set);
    }
    const waiters = set;
    let resolve!: (result: TaskResult | undefined) => void;
    const next = new Promise<TaskResult | undefined>((r) => {
      resolve = r;
    });
    const woken = (result?: TaskResult) => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      waiters.delete(woken);
      if (waiters.size === 0 && this.#waiters.get(taskId) === waiters) this.#waiters.delete(taskId);
      // Each waiter its own copy: what one caller changes, no other (nor the store) sees.
      resolve(result === undefined ? undefined : copyData(result));
    };
    // Timer and abort wake without a result (an abort listener is called with the Event).
    const done = () => woken();
    // After close, nothing here announces changes any more: re-read often.
    const timer = setTimeout(done, this.#closed ? 50 : this.#pollMs);
    signal?.addEventListener("abort", done, { once: true });
    waiters.add(woken);
    return { next, cancel: done };
  }

  /** `arm(taskId, signal).next`: for a caller that has nothing to read first. */
  wait(taskId: string, signal?: AbortSignal): Promise<TaskResult | undefined> {
    return this.arm(taskId, signal).next;
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
