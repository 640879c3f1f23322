import type { Pool } from "@claude-pool/core";
import { notFound } from "../errors.js";
import type { PoolHost } from "../host-port.js";

/**
 * The running Pool behind a procedure's `ctx.poolRow`. A deleted (archived) pool is NOT_FOUND for
 * every procedure that acts on it, as an unknown one is; its tasks stay readable by id.
 */
export function livePool(host: PoolHost, poolRow: { id: string; archivedAt: Date | null }): Pool {
  if (poolRow.archivedAt !== null) throw notFound("pool", poolRow.id);
  return host.pool(poolRow.id);
}

/** Subscription ids for state snapshots (status, progress): increasing within a process. */
let snapshotSeq = 0;
export function snapshotId(): string {
  snapshotSeq += 1;
  return `${Date.now()}-${snapshotSeq}`;
}
