import { type ClaudeConfig, claudeConfigSchema, mergeConfig, type SlotSpec } from "@claude-pool/core";
import { type PoolSlotSpec, poolConfigOf, type StoredPool, slotCountOf } from "@claude-pool/db";

/** What a pool row asks an engine to run, in the form the host compares and applies. */
export interface PoolSpec {
  id: string;
  teamId: string | null;
  name: string;
  slots: number;
  /** pool-core's `PoolOptions.config`. */
  config: Record<string, unknown>;
  slotSpecs: Record<string, PoolSlotSpec>;
}

const CLAUDE_KEYS = new Set(Object.keys(claudeConfigSchema.shape));

export function specOf(row: StoredPool): PoolSpec {
  return {
    id: row.id,
    teamId: row.teamId,
    name: row.name,
    slots: slotCountOf(row),
    config: poolConfigOf(row),
    slotSpecs: row.slotSpecs,
  };
}

/** The Claude settings of a pool config (model, effort, …): what a running slot can take on. */
export function claudePart(config: Record<string, unknown>): ClaudeConfig {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) if (CLAUDE_KEYS.has(k) && v !== undefined) out[k] = v;
  return out as ClaudeConfig;
}

/** Everything else (queue length, timeouts, session mode, worktrees…), fixed when a Pool is created. */
function schedulingPart(config: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) {
    // The cap lives in the pool row, which reservations read: it changes without a restart.
    if (!CLAUDE_KEYS.has(k) && k !== "budgetUsd" && v !== undefined) out[k] = v;
  }
  return out;
}

/** The slot specs Pool.create gets: slot-0…slot-(n-1), each with what `slots.configure` stored. */
export function slotSpecsOf(spec: PoolSpec): SlotSpec[] {
  return Array.from({ length: spec.slots }, (_, i) => {
    const stored = spec.slotSpecs[`slot-${i}`] ?? {};
    const out: SlotSpec = {};
    if (stored.name !== undefined) out.name = stored.name;
    if (stored.role !== undefined) out.role = stored.role;
    if (stored.description !== undefined) out.description = stored.description;
    if (stored.config !== undefined) out.config = stored.config;
    return out;
  });
}

/**
 * A changed pool needs a new Pool object (created once its running work has finished) when what
 * changed is fixed at creation: the slot count, the name (it is in every slot's identity prompt),
 * or a scheduling setting. Claude settings and slot identities apply to the running slots.
 */
export function needsRestart(applied: PoolSpec, next: PoolSpec): boolean {
  return (
    applied.slots !== next.slots ||
    applied.name !== next.name ||
    stableJson(schedulingPart(applied.config)) !== stableJson(schedulingPart(next.config))
  );
}

/** What `configureSlot` gets for each slot so it runs with the pool's new Claude settings. */
export function liveSlotChanges(
  applied: PoolSpec,
  next: PoolSpec,
): Array<{ slotId: string; spec: Partial<SlotSpec> }> {
  const poolChanged = stableJson(claudePart(applied.config)) !== stableJson(claudePart(next.config));
  const changes: Array<{ slotId: string; spec: Partial<SlotSpec> }> = [];
  for (let i = 0; i < next.slots; i++) {
    const slotId = `slot-${i}`;
    const before = applied.slotSpecs[slotId];
    const after = next.slotSpecs[slotId];
    if (!poolChanged && stableJson(before) === stableJson(after)) continue;
    const spec: Partial<SlotSpec> = {
      // The slot's own settings still win over the pool's.
      config: mergeConfig(claudePart(next.config), after?.config),
    };
    if (after?.name !== undefined) spec.name = after.name;
    if (after?.role !== undefined) spec.role = after.role;
    if (after?.description !== undefined) spec.description = after.description;
    changes.push({ slotId, spec });
  }
  return changes;
}

function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );
}
