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

/**
 * A wake-up for many readers of one shared feed: `wake()` from the feed's single reader loop,
 * `next()` in each subscriber. A subscriber takes `next()` before it looks at the feed, so a wake
 * that comes between its look and its wait is not missed.
 */
export class Broadcast {
  #tick!: Promise<void>;
  #resolve!: () => void;

  constructor() {
    this.#arm();
  }

  #arm(): void {
    this.#tick = new Promise<void>((resolve) => {
      this.#resolve = resolve;
    });
  }

  wake(): void {
    this.#resolve();
    this.#arm();
  }

  /** Resolves at the next `wake()` or on abort. */
  next(signal: AbortSignal | undefined): Promise<void> {
    const tick = this.#tick;
    if (!signal) return tick;
    if (signal.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        signal.removeEventListener("abort", done);
        resolve();
      };
      signal.addEventListener("abort", done, { once: true });
      void tick.then(done);
    });
  }
}
