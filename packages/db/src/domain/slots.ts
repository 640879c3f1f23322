import { and, asc, eq, gt, ne, sql } from "drizzle-orm";
import type { Executor } from "../executor.js";
import { slots } from "../schema/slots.js";

export type SlotRow = typeof slots.$inferSelect;

/**
 * The slots of a pool that some engine is serving now, every engine's: not stopped, and reported
 * (or heartbeaten, see `touchEngineSlots`) within `freshMs`. An engine killed without warning stops
 * heartbeating, so its slots drop off the board after `freshMs` even though nobody marked them.
 */
export function listLiveSlots(db: Executor, poolId: string, freshMs: number): Promise<SlotRow[]> {
  return db
    .select()
    .from(slots)
    .where(
      and(
        eq(slots.poolId, poolId),
        ne(slots.state, "stopped"),
        gt(slots.updatedAt, sql`now() - ${freshMs}::int * interval '1 millisecond'`),
      ),
    )
    .orderBy(asc(slots.engineId), asc(slots.id));
}

/** The engine's heartbeat: its live slots' `updated_at` moves to now. */
export async function touchEngineSlots(db: Executor, engineId: string): Promise<void> {
  await db
    .update(slots)
    .set({ updatedAt: sql`now()` })
    .where(and(eq(slots.engineId, engineId), ne(slots.state, "stopped")));
}

/** Marks the engine's slots (of one pool, or all) stopped: it no longer serves them. */
export async function stopEngineSlots(db: Executor, engineId: string, poolId?: string): Promise<void> {
  await db
    .update(slots)
    .set({ state: "stopped", currentTaskId: null, updatedAt: sql`now()` })
    .where(and(eq(slots.engineId, engineId), poolId === undefined ? undefined : eq(slots.poolId, poolId)));
}
