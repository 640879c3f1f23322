import { type ClaudeConfig, SlotNotFound } from "@claude-pool/core";
import { type Database, setPoolSlotSpec, slotCountOf } from "@claude-pool/db";
import type { PoolHost } from "../host-port.js";
import { livePool } from "./live-pool.js";
import type { SlotView } from "./status.js";

export interface SlotChange {
  name?: string;
  role?: string;
  description?: string;
  config?: ClaudeConfig;
}

/**
 * Stores the slot's identity with the pool (every engine applies it to its slot of that id, now
 * and after restarts) and applies it to this engine's slot at once. `slotId` may be the slot's
 * id (`slot-0`) or its current name.
 */
export async function configureSlot(
  host: PoolHost,
  database: Database,
  poolRow: { id: string; archivedAt: Date | null; config: Record<string, unknown> },
  slotId: string,
  change: SlotChange,
): Promise<SlotView> {
  const pool = livePool(host, poolRow);
  const status = await pool.status();
  const slot = status.slots.find((s) => s.id === slotId) ?? status.slots.find((s) => s.name === slotId);
  const index = slot ? Number(slot.id.slice("slot-".length)) : -1;
  if (!slot || !(index >= 0 && index < slotCountOf(poolRow))) throw new SlotNotFound(slotId);
  await pool.configureSlot(slot.id, change);
  await setPoolSlotSpec(database.db, pool.id, slot.id, change);
  const after = (await pool.status()).slots.find((s) => s.id === slot.id) ?? slot;
  return { ...after, engineId: pool.engineId };
}
