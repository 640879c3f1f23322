import type { ChainRecord } from "@claude-pool/core";
import { and, eq, inArray, isNull, or, type SQL, sql } from "drizzle-orm";
import type { Db } from "../executor.js";
import { chains } from "../schema/index.js";
import { toChainRecord } from "./rows.js";

/*
 * Chain ownership across engines, the chain counterpart of task leases. Not in pool-core's Store
 * port yet: a chain runner that adopts it claims a chain when it starts driving it, renews the
 * lease while it does, and at start (and now and then) takes over running chains whose engine
 * died, continuing each at the step its persisted state says it was on.
 */

const leaseUntil = (now: SQL, leaseMs: number) => sql`${now} + ${leaseMs}::int * interval '1 millisecond'`;

/** Takes a running chain for `engineId` if no other engine holds a live lease on it. */
export async function claimChain(
  db: Db,
  now: SQL,
  chainId: string,
  engineId: string,
  leaseMs: number,
): Promise<boolean> {
  const rows = await db
    .update(chains)
    .set({ engineId, leaseExpiresAt: leaseUntil(now, leaseMs) })
    .where(
      and(
        eq(chains.id, chainId),
        eq(chains.status, "running"),
        or(
          isNull(chains.engineId),
          eq(chains.engineId, engineId),
          isNull(chains.leaseExpiresAt),
          sql`${chains.leaseExpiresAt} < ${now}`,
        ),
      ),
    )
    .returning({ id: chains.id });
  return rows.length > 0;
}

/** Extends this engine's chain leases; returns the ids it no longer holds. */
export async function renewChainLeases(
  db: Db,
  now: SQL,
  engineId: string,
  chainIds: string[],
  leaseMs: number,
): Promise<string[]> {
  if (chainIds.length === 0) return [];
  const renewed = await db
    .update(chains)
    .set({ leaseExpiresAt: leaseUntil(now, leaseMs) })
    .where(and(inArray(chains.id, chainIds), eq(chains.engineId, engineId), eq(chains.status, "running")))
    .returning({ id: chains.id });
  const held = new Set(renewed.map((r) => r.id));
  return chainIds.filter((id) => !held.has(id));
}

/**
 * Takes over a pool's running chains whose engine stopped renewing their lease (SKIP LOCKED: two
 * engines doing this at once split them, never share one). Chains never claimed are left alone.
 */
export async function claimOrphanedChains(
  db: Db,
  now: SQL,
  poolId: string,
  engineId: string,
  leaseMs: number,
): Promise<ChainRecord[]> {
  return db.transaction(async (tx) => {
    const orphans = await tx
      .select({ id: chains.id })
      .from(chains)
      .where(
        and(eq(chains.poolId, poolId), eq(chains.status, "running"), sql`${chains.leaseExpiresAt} < ${now}`),
      )
      .orderBy(chains.createdAt)
      .for("update", { skipLocked: true });
    if (orphans.length === 0) return [];
    const rows = await tx
      .update(chains)
      .set({ engineId, leaseExpiresAt: leaseUntil(now, leaseMs) })
      .where(
        inArray(
          chains.id,
          orphans.map((o) => o.id),
        ),
      )
      .returning();
    return rows.map(toChainRecord).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  });
}
