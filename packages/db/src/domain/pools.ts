import { and, asc, eq, isNull, sql } from "drizzle-orm";
import type { Executor } from "../executor.js";
import { type PoolSlotSpec, pools } from "../schema/pools.js";

/**
 * Pools as the API manages them: the rows engines start pools from. Every change queues a NOTIFY on
 * `POOL_CHANGES_CHANNEL` in the same statement's transaction, so every engine on the database hears
 * about a pool created, changed or deleted by another one (and only after the commit).
 */
export const POOL_CHANGES_CHANNEL = "claude_pool_pools";

export type PoolRow = typeof pools.$inferSelect;
export type { PoolSlotSpec };

export interface NewPoolRow {
  id: string;
  teamId: string;
  name: string;
  slots: number;
  /** The pool's config as pool-core's `PoolOptions.config` takes it (budgetUsd included). */
  config: Record<string, unknown>;
  budgetCapMicros: number | null;
}

export interface PoolRowPatch {
  name?: string;
  slots?: number;
  /** Replaces the stored config (the slot count is kept unless `slots` is given). */
  config?: Record<string, unknown>;
  /** Applied when present; null removes the cap. */
  budgetCapMicros?: number | null;
}

/** The slot count a pool row asks for (kept in `config.slots`, as Pool.create writes it too). */
export function slotCountOf(row: Pick<PoolRow, "config">): number {
  const n = row.config.slots;
  return typeof n === "number" && Number.isInteger(n) && n > 0 ? n : 1;
}

/** The row's config without the slot count: what goes into `PoolOptions.config`. */
export function poolConfigOf(row: Pick<PoolRow, "config">): Record<string, unknown> {
  const { slots: _slots, ...config } = row.config;
  return config;
}

export async function createPoolRow(db: Executor, pool: NewPoolRow): Promise<PoolRow> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(pools)
      .values({
        id: pool.id,
        teamId: pool.teamId,
        name: pool.name,
        config: { slots: pool.slots, ...pool.config },
        budgetCapMicros: pool.budgetCapMicros,
      })
      .returning();
    if (!row) throw new Error(`inserting pool ${pool.id} returned no row`);
    await notifyPoolChange(tx, row.id);
    return row;
  });
}

/** A pool row, archived or not; undefined for an unknown id. */
export async function getPoolRow(db: Executor, poolId: string): Promise<PoolRow | undefined> {
  const [row] = await db.select().from(pools).where(eq(pools.id, poolId));
  return row;
}

/** The team's pools that were not deleted, oldest first. */
export function listTeamPools(db: Executor, teamId: string): Promise<PoolRow[]> {
  return db
    .select()
    .from(pools)
    .where(and(eq(pools.teamId, teamId), isNull(pools.archivedAt)))
    .orderBy(asc(pools.createdAt), asc(pools.id));
}

/**
 * Every pool an engine should run: not deleted and owned by a team. (Pools without a team are
 * library or test pools that some process created through `Pool.create` directly.)
 */
export function listServedPools(db: Executor): Promise<PoolRow[]> {
  return db
    .select()
    .from(pools)
    .where(and(isNull(pools.archivedAt), sql`${pools.teamId} is not null`))
    .orderBy(asc(pools.createdAt), asc(pools.id));
}

/** A live pool of the team with that name, if any (names are unique among a team's live pools). */
export async function findTeamPoolByName(
  db: Executor,
  teamId: string,
  name: string,
): Promise<PoolRow | undefined> {
  const [row] = await db
    .select()
    .from(pools)
    .where(and(eq(pools.teamId, teamId), eq(pools.name, name), isNull(pools.archivedAt)))
    .limit(1);
  return row;
}

/** Applies a patch to a live pool; returns the new row, or undefined when there is none. */
export async function updatePoolRow(
  db: Executor,
  poolId: string,
  patch: PoolRowPatch,
): Promise<PoolRow | undefined> {
  return db.transaction(async (tx) => {
    const [current] = await tx
      .select()
      .from(pools)
      .where(and(eq(pools.id, poolId), isNull(pools.archivedAt)))
      .for("update");
    if (!current) return undefined;
    const config = { ...(patch.config ?? poolConfigOf(current)), slots: patch.slots ?? slotCountOf(current) };
    const [row] = await tx
      .update(pools)
      .set({
        name: patch.name ?? current.name,
        config,
        ...(patch.budgetCapMicros === undefined ? {} : { budgetCapMicros: patch.budgetCapMicros }),
        updatedAt: sql`now()`,
      })
      .where(eq(pools.id, poolId))
      .returning();
    await notifyPoolChange(tx, poolId);
    return row;
  });
}

/** Stores one slot's identity and config (merged over what was stored for it). */
export async function setPoolSlotSpec(
  db: Executor,
  poolId: string,
  slotId: string,
  spec: PoolSlotSpec,
): Promise<PoolRow | undefined> {
  return db.transaction(async (tx) => {
    const [current] = await tx
      .select()
      .from(pools)
      .where(and(eq(pools.id, poolId), isNull(pools.archivedAt)))
      .for("update");
    if (!current) return undefined;
    const before = current.slotSpecs[slotId] ?? {};
    const merged: PoolSlotSpec = {
      ...before,
      ...spec,
      ...(spec.config || before.config ? { config: { ...before.config, ...spec.config } } : {}),
    };
    const [row] = await tx
      .update(pools)
      .set({ slotSpecs: { ...current.slotSpecs, [slotId]: merged }, updatedAt: sql`now()` })
      .where(eq(pools.id, poolId))
      .returning();
    await notifyPoolChange(tx, poolId);
    return row;
  });
}

/**
 * Deletes a pool for its users: it is archived (no engine runs it, lists omit it) so its tasks,
 * events and spend stay in the reports. Returns false when it was unknown or already deleted.
 */
export async function archivePoolRow(db: Executor, poolId: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const rows = await tx
      .update(pools)
      .set({ archivedAt: sql`now()`, updatedAt: sql`now()` })
      .where(and(eq(pools.id, poolId), isNull(pools.archivedAt)))
      .returning({ id: pools.id });
    if (rows.length === 0) return false;
    await notifyPoolChange(tx, poolId);
    return true;
  });
}

async function notifyPoolChange(tx: Executor, poolId: string): Promise<void> {
  await tx.execute(sql`select pg_notify(${POOL_CHANGES_CHANNEL}::text, ${poolId}::text)`);
}
