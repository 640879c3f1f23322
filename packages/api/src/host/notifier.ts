/**
 * A wake-up flag for subscription loops: `notify()` from event handlers, `wait()` in the loop. A
 * notification that arrives while the loop is busy is remembered, so none is lost between reading
 * and waiting.
 */
export class Notifier {
  #dirty = false;
  #wake: (() => void) | null = null;

  notify(): void {
    this.#dirty = true;
    this.#wake?.();
  }

  /** Resolves at the next notification (at once if one came since the last wait), on abort, or after `maxMs`. */
  async wait(signal: AbortSignal | undefined, maxMs: number): Promise<void> {
    if (!this.#dirty && !signal?.aborted) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal?.removeEventListener("abort", done);
          this.#wake = null;
          resolve();
        };
        const timer = setTimeout(done, maxMs);
        signal?.addEventListener("abort", done, { once: true });
        this.#wake = done;
      });
    }
    this.#dirty = false;
  }
}
