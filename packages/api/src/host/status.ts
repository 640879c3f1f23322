import { microsToUsd, type Pool, type PoolStatus, type SlotInfo } from "@claude-pool/core";
import { type Database, listLiveSlots, type SlotRow } from "@claude-pool/db";
import { Notifier } from "./notifier.js";

/** A slot on the board, with the engine that serves it (every engine has its own `slot-0`…). */
export type SlotView = SlotInfo & { engineId: string };

/** pool-core's PoolStatus across every engine serving the pool. */
export interface PoolStatusView extends Omit<PoolStatus, "slots"> {
  slots: SlotView[];
  /** Engines whose slots are on the board (this one first). */
  engines: string[];
}

/**
 * The pool's status as a user means it: this engine's slots from its Pool (current to the
 * millisecond) and the other engines' from the slots table, if they reported or heartbeat within
 * three leases; queue and budget are the shared ones.
 */
export async function poolStatus(pool: Pool, database: Database): Promise<PoolStatusView> {
  const own = await pool.status();
  const others = (await listLiveSlots(database.db, pool.id, 3 * pool.options.leaseMs)).filter(
    (s) => s.engineId !== pool.engineId,
  );
  const slots: SlotView[] = [
    ...own.slots.map((s) => ({ ...s, engineId: pool.engineId })),
    ...others.map(slotViewOf),
  ];
  return {
    ...own,
    slots,
    activeTasks: slots.filter((s) => s.state === "busy").length,
    engines: [...new Set(slots.map((s) => s.engineId))],
  };
}

function slotViewOf(r: SlotRow): SlotView {
  return {
    id: r.id,
    engineId: r.engineId,
    name: r.name,
    role: r.role,
    description: r.description,
    state: r.state,
    currentTaskId: r.currentTaskId,
    tasksCompleted: r.tasksCompleted,
    errors: r.errors,
    spendUsd: microsToUsd(r.spendMicros),
    worktreePath: r.worktreePath,
    sessionId: r.sessionId,
    // Another engine's process is not visible from here; its own status reports it.
    warm: false,
  };
}

/**
 * The pool's status every time it changes: on this engine's pool events (slots, budget) and on the
 * store's notifications (tasks queued, claimed and ended on any engine). Nothing is polled; a
 * change another engine made to its slot row right after its task notification is caught by one
 * re-read shortly after each notification. `current()` is asked for the Pool at every turn: after
 * a drain, resize or rename the host runs a new Pool object, and the stream follows it. Yields the
 * current status first.
 */
export async function* poolStatusChanges(
  current: () => Pool,
  database: Database,
  signal: AbortSignal | undefined,
): AsyncGenerator<PoolStatusView> {
  const changed = new Notifier();
  let followUp: NodeJS.Timeout | null = null;
  const onChange = () => {
    changed.notify();
    if (followUp) clearTimeout(followUp);
    followUp = setTimeout(() => changed.notify(), 300);
  };
  let followed: Pool | null = null;
  let unsubscribe = () => {};
  const follow = (pool: Pool) => {
    if (pool === followed) return;
    unsubscribe();
    followed = pool;
    const offStore = pool.store.subscribe(pool.id, onChange);
    const offPool = pool.on("event", (e) => {
      if (e.type === "slot.updated" || e.type === "budget.updated" || e.type === "pool.drained") onChange();
    });
    unsubscribe = () => {
      offStore();
      offPool();
    };
  };
  try {
    let last = "";
    while (!signal?.aborted) {
      const pool = current();
      follow(pool);
      const status = await poolStatus(pool, database);
      const json = JSON.stringify(status);
      if (json !== last) {
        last = json;
        yield status;
      }
      // The ceiling only guards against a lost notification (another engine's heartbeat-expired slots).
      await changed.wait(signal, 15_000);
    }
  } finally {
    if (followUp) clearTimeout(followUp);
    unsubscribe();
  }
}
