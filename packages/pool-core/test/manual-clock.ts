import { writeFileSync } from "node:fs";
import type { PoolClock } from "../src/index.js";

/**
 * A clock that stands still until the test moves it: the pool, its store and (through
 * `CLAUDE_SIM_NOW_FILE`) claude-sim's usage limit all read it, so a reset hours away is one call.
 */
export interface ManualClock extends PoolClock {
  date(): Date;
  /** Moves time to `ms` (never back) and wakes every sleep due by then. */
  advanceTo(ms: number): void;
}

export function manualClock(startMs: number, nowFile?: string): ManualClock {
  let now = startMs;
  const sleepers: Array<{ at: number; wake: () => void }> = [];
  const publish = () => {
    if (nowFile) writeFileSync(nowFile, String(now));
  };
  publish();
  return {
    now: () => now,
    date: () => new Date(now),
    sleep: (ms, signal) =>
      new Promise<void>((resolve) => {
        if (signal.aborted || ms <= 0) return resolve();
        const entry = { at: now + ms, wake: resolve };
        sleepers.push(entry);
        signal.addEventListener("abort", () => resolve(), { once: true });
      }),
    advanceTo(ms) {
      now = Math.max(now, ms);
      publish();
      for (const s of sleepers.splice(0)) {
        if (s.at <= now) s.wake();
        else sleepers.push(s);
      }
    },
  };
}
