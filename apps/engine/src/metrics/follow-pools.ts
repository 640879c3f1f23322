import type { Pool } from "@claude-pool/core";

/** The part of the pool host this needs (A1b's PoolHost satisfies it). */
export interface ServedPools {
  pool(poolId: string): Pool;
  /** Called with each Pool the host starts (A1b's PoolHost has it): followed at once. */
  onPoolStarted?(listener: (pool: Pool) => void): () => void;
}

/**
 * Keeps `follow` attached to every Pool the host runs: at once when the host announces a pool it
 * started, and from `listPoolIds` (the pools table), re-read on `refresh()` and every `intervalMs`;
 * a pool the host restarted (a new Pool object) is followed again.
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
  const unannounce = host.onPoolStarted?.((pool) => {
    if (stopped || followed.get(pool.id)?.pool === pool) return;
    followed.get(pool.id)?.detach();
    followed.set(pool.id, { pool, detach: follow(pool) });
  });
  const timer = setInterval(() => void refresh(), intervalMs);
  timer.unref();
  void refresh();
  return {
    refresh,
    stop() {
      stopped = true;
      unannounce?.();
      clearInterval(timer);
      for (const entry of followed.values()) entry.detach();
      followed.clear();
    },
  };
}
