import type { ChainProgress, Pool } from "@claude-pool/core";
import { Notifier } from "./notifier.js";

/**
 * A chain's progress each time it changes, ending once the chain has ended. Changes are heard from
 * this engine's chain runner (`chain.progress`) and, for a chain another engine drives, from the
 * store's notifications about its step tasks; each is followed by a re-read of the saved progress.
 */
export async function* chainProgressStream(
  pool: Pool,
  chainId: string,
  signal: AbortSignal | undefined,
): AsyncGenerator<ChainProgress> {
  const changed = new Notifier();
  const unsubscribePool = pool.on("chain.progress", (e) => {
    if (e.chainId === chainId) changed.notify();
  });
  const unsubscribeStore = pool.store.subscribe(pool.id, () => changed.notify());
  try {
    let last = "";
    while (!signal?.aborted) {
      const progress = await pool.chainResult(chainId);
      const json = JSON.stringify(progress);
      if (json !== last) {
        last = json;
        yield progress;
      }
      if (progress.status !== "running") return;
      await changed.wait(signal, 10_000);
    }
  } finally {
    unsubscribePool();
    unsubscribeStore();
  }
}
