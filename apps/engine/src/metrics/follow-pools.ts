import type { Pool } from "@claude-pool/core";

/** The part of the pool host this needs (A1b's PoolHost satisfies it). */
export interface ServedPools {
  pool(poolId: string): Pool;
}

/**
 * Keeps `follow` attached to every Pool the host runs. The host has no "pool started" event, so
 * the pool ids come from `listPoolIds` (the pools table) and are re-read on `refresh()` and every
 * `intervalMs`; a pool the host restarted (a new Pool object) is followed again.
 */
export function followHostPools(
  host: ServedPools,
  listPoolIds: () => Promise<string[]>,
  follow: (pool: Pool) => () => void,
  intervalMs = 2_000,
): { refresh(): Promise<void>; stop(): void } {
  const followed = new Map<string, { pool: Pool; detach: () => void }>();
  let stopped = false;
  let running: Promise<void> | null = null;

  async function sync(): Promise<void> {
    const ids = await listPoolIds().catch(() => null);
    if (ids === null || stopped) return;
    const live = new Set(ids);
    for (const [id, entry] of followed) {
      if (!live.has(id)) {
        entry.detach();
        followed.delete(id);
      }
    }
    for (const id of ids) {
      let pool: Pool;
      try {
        pool = host.pool(id);
      } catch {
        continue; // not running here (yet, or it failed to start)
      }
      const entry = followed.get(id);
      if (entry?.pool === pool) continue;
      entry?.detach();
      followed.set(id, { pool, detach: follow(pool) });
    }
  }

  const refresh = () => {
    // One pass at a time; a caller arriving mid-pass waits for it.
    running ??= sync().finally(() => {
      running = null;
    });
    return running;
  };
  const timer = setInterval(() => void refresh(), intervalMs);
  timer.unref();
  void refresh();
  return {
    refresh,
    stop() {
      stopped = true;
      clearInterval(timer);
      for (const entry of followed.values()) entry.detach();
      followed.clear();
    },
  };
}
