import type { Pool } from "@claude-pool/core";

/**
 * What the API needs from the engine's pool host (contract: CONTRACT-API.md "PoolHost"). A1b's
 * `createPoolHost` in `host/` returns one; this file holds only the type so the context and the
 * routers compile before and independently of the host's implementation.
 */
export interface PoolHost {
  engineId: string;
  /** recoverOnStart, then start every pool in the database. */
  start(): Promise<void>;
  /** The running Pool in this engine (throws PoolNotRunning → NOT_FOUND). */
  pool(poolId: string): Pool;
  /** Persists, then starts. */
  createPool(input: {
    teamId: string;
    name: string;
    slots: number;
    config: Record<string, unknown>;
  }): Promise<{ poolId: string }>;
  updatePool(poolId: string, patch: Record<string, unknown>): Promise<void>;
  /** Drains first. */
  deletePool(poolId: string): Promise<void>;
  /** Stop claiming, let running tasks finish within grace, leave the rest queued. */
  stop(opts?: { graceMs?: number }): Promise<void>;
  health(): Promise<{ ok: boolean; database: boolean; pools: number; problems: string[] }>;
  /** Calls `listener` with each Pool this engine starts; returns an unsubscribe function. */
  onPoolStarted?(listener: (pool: Pool) => void): () => void;
}
