/**
 * Callers waiting for a task to change (`result(id, { wait: true })`). A store notification wakes
 * them at once; since notifications can be missed across processes, each wait also ends after
 * the poll interval so the caller re-reads the record regardless.
 */
export class TaskWaiters {
  readonly #waiters = new Map<string, Set<() => void>>();
  readonly #pollMs: number;
  #closed = false;

  constructor(pollMs: number) {
    this.#pollMs = pollMs;
  }

  /** Resolves when the task may have changed (woken, polled, or the signal aborted). */
  wait(taskId: string, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      let set = this.#waiters.get(taskId);
      if (!set) {
        set = new Set();
        this.#waiters.set(taskId, set);
      }
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        set.delete(done);
        if (set.size === 0) this.#waiters.delete(taskId);
        resolve();
      };
      // After close, nothing here announces changes any more: re-read often.
      const timer = setTimeout(done, this.#closed ? 50 : this.#pollMs);
      signal?.addEventListener("abort", done, { once: true });
      set.add(done);
    });
  }

  wake(taskId: string): void {
    const set = this.#waiters.get(taskId);
    if (set) for (const w of [...set]) w();
  }

  /** Wakes everyone (the pool is closing); later waits poll quickly. */
  close(): void {
    this.#closed = true;
    for (const set of [...this.#waiters.values()]) for (const w of [...set]) w();
  }
}
