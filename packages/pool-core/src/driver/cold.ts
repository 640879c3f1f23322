import type { Driver, SlotDriver } from "./port.js";
import { type RunOutcome, type RunRequest, runClaude } from "./run.js";

/**
 * One `claude -p` process per task. The slot keeps nothing between tasks; `close()` kills a run
 * still in flight (whole process group) and waits for it.
 */
export function createColdDriver(): Driver {
  const slots = new Map<string, ColdSlot>();
  return {
    kind: "cold",
    slot(slotId) {
      let s = slots.get(slotId);
      if (!s) {
        s = new ColdSlot();
        slots.set(slotId, s);
      }
      return s;
    },
    async close() {
      await Promise.all([...slots.values()].map((s) => s.close()));
      slots.clear();
    },
  };
}

class ColdSlot implements SlotDriver {
  readonly #inFlight = new Set<Promise<RunOutcome>>();
  #closing = new AbortController();

  get warm(): boolean {
    return false;
  }

  run(req: RunRequest): Promise<RunOutcome> {
    const signal = AbortSignal.any([req.signal, this.#closing.signal]);
    const run = runClaude({ ...req, signal });
    this.#inFlight.add(run);
    const forget = () => this.#inFlight.delete(run);
    run.then(forget, forget);
    return run;
  }

  retire(): void {
    // Nothing outlives a task on the cold driver.
  }

  async close(): Promise<void> {
    this.#closing.abort("shutdown");
    await Promise.allSettled([...this.#inFlight]);
    this.#closing = new AbortController();
  }
}
