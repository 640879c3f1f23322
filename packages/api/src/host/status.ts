import { microsToUsd, type Pool, type PoolStatus, type SlotInfo } from "@claude-pool/core";
import { type Database, listLiveSlots, type SlotRow } from "@claude-pool/db";
import { Broadcast, Notifier } from "./notifier.js";

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
  const [own, live] = await Promise.all([
    pool.status(),
    listLiveSlots(database.db, pool.id, 3 * pool.options.leaseMs),
  ]);
  const others = live.filter((s) => s.engineId !== pool.engineId);
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
 * store's notifications (tasks queued, claimed and ended on any engine; output lines do not change
 * the status). Nothing is polled; a change another engine made to its slot row right after its task
 * notification is caught by one re-read shortly after each notification. `current()` is asked for
 * the Pool at every turn: after a drain, resize or rename the host runs a new Pool object, and the
 * stream follows it. Yields the current status first.
 *
 * Every subscriber of one pool on this engine shares one reader (`StatusFeed`): a change costs one
 * status read however many dashboards watch it. A subscriber that falls behind gets the newest
 * snapshot, not every one in between.
 */
export async function* poolStatusChanges(
  current: () => Pool,
  database: Database,
  signal: AbortSignal | undefined,
): AsyncGenerator<PoolStatusView> {
  const feed = StatusFeed.acquire(current, database);
  try {
    let seen = 0;
    while (!signal?.aborted) {
      const next = feed.changed.next(signal);
      if (feed.latest && feed.version > seen) {
        seen = feed.version;
        yield feed.latest;
        continue;
      }
      if (feed.failure) throw feed.failure.error;
      await next;
    }
  } finally {
    feed.release();
  }
}

/** One status reader per pool, shared by the pool's status subscribers on this engine (ref-counted). */
class StatusFeed {
  static #feeds = new WeakMap<Database, Map<string, StatusFeed>>();

  latest: PoolStatusView | null = null;
  /** Bumped each time `latest` changes. */
  version = 0;
  readonly changed = new Broadcast();
  failure: { error: unknown } | null = null;
  #refs = 0;
  #stop = new AbortController();
  #detach: () => void;

  static acquire(current: () => Pool, database: Database): StatusFeed {
    // Per engine too: two hosts in one process (tests) see their own slots first.
    const first = current();
    const key = `${first.id}\u0000${first.engineId}`;
    let byPool = StatusFeed.#feeds.get(database);
    if (!byPool) {
      byPool = new Map();
      StatusFeed.#feeds.set(database, byPool);
    }
    let feed = byPool.get(key);
    if (!feed) {
      const feeds = byPool;
      feed = new StatusFeed(current, database, () => {
        if (feeds.get(key) === feed) feeds.delete(key);
      });
      byPool.set(key, feed);
    }
    feed.#refs++;
    return feed;
  }

  private constructor(current: () => Pool, database: Database, detach: () => void) {
    this.#detach = detach;
    void this.#run(current, database);
  }

  release(): void {
    if (--this.#refs > 0) return;
    this.#stop.abort();
    this.#detach();
  }

  async #run(current: () => Pool, database: Database): Promise<void> {
    const signal = this.#stop.signal;
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
      const offStore = pool.store.subscribe(pool.id, (note) => {
        if (note.type !== "task_events") onChange();
      });
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
      while (!signal.aborted) {
        const pool = current();
        follow(pool);
        const status = await poolStatus(pool, database);
        const json = JSON.stringify(status);
        if (json !== last) {
          last = json;
          // Frozen: sent to every subscriber, serialized once by the SSE writer (see task-events.ts).
          this.latest = Object.freeze(status);
          this.version++;
          this.changed.wake();
        }
        // The ceiling only guards against a lost notification (another engine's heartbeat-expired slots).
        await changed.wait(signal, 15_000);
      }
    } catch (error) {
      this.failure = { error };
      this.#detach();
      this.changed.wake();
    } finally {
      if (followUp) clearTimeout(followUp);
      unsubscribe();
    }
  }
}
