import { isTerminal, type TaskStatus } from "../domain/types.js";
import type { TaskRecord } from "./port.js";

interface PoolQueue {
  /** The pool's tasks that have not ended, in claim order: priority high to low, then FIFO. */
  open: TaskRecord[];
  /** How many of them are queued or waiting for quota. */
  pending: number;
}

const isPending = (s: TaskStatus) => s === "queued" || s === "waiting_for_quota";

/**
 * The in-memory store's index of unfinished work, so a claim and a queue count look only at the
 * pool's open tasks (and a claim usually only at the first of them) instead of every task the
 * store ever held: the pool alone must stay fast with tens of thousands of tasks.
 */
export class MemoryQueue {
  readonly #pools = new Map<string, PoolQueue>();

  #of(poolId: string): PoolQueue {
    let q = this.#pools.get(poolId);
    if (!q) {
      q = { open: [], pending: 0 };
      this.#pools.set(poolId, q);
    }
    return q;
  }

  /** A new task (its seq is the highest so far): after every task of its priority or higher. */
  add(task: TaskRecord): void {
    const q = this.#of(task.poolId);
    let lo = 0;
    let hi = q.open.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((q.open[mid] as TaskRecord).priority >= task.priority) lo = mid + 1;
      else hi = mid;
    }
    q.open.splice(lo, 0, task);
    if (isPending(task.status)) q.pending++;
  }

  /** Every status change of a task goes through here, so the index and the count stay right. */
  setStatus(task: TaskRecord, status: TaskStatus): void {
    const q = this.#of(task.poolId);
    if (isPending(task.status)) q.pending--;
    if (isPending(status)) q.pending++;
    task.status = status;
    if (isTerminal(status)) {
      const i = q.open.indexOf(task);
      if (i >= 0) q.open.splice(i, 1);
    }
  }

  pending(poolId: string): number {
    return this.#pools.get(poolId)?.pending ?? 0;
  }

  /** The pool's unfinished tasks in claim order (do not modify). */
  open(poolId: string): readonly TaskRecord[] {
    return this.#pools.get(poolId)?.open ?? [];
  }
}
