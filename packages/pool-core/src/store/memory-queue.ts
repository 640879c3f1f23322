import { isTerminal, type TaskStatus } from "../domain/types.js";
import type { TaskRecord } from "./port.js";

/**
 * One priority's unfinished tasks in FIFO order. Ended tasks are dropped lazily: from the head at
 * once (the common case, since the oldest tasks end first), from the middle when they outnumber
 * the live ones. So an end costs O(1) amortized instead of a search and a splice of the whole
 * array (which at 20,000 queued tasks was most of a claim's cost).
 */
class Bucket {
  items: TaskRecord[] = [];
  head = 0;
  ended = 0;

  constructor(readonly priority: number) {}

  get live(): number {
    return this.items.length - this.head - this.ended;
  }

  dropEnded(): void {
    const items = this.items;
    while (this.head < items.length && isTerminal((items[this.head] as TaskRecord).status)) {
      this.head++;
      this.ended--;
    }
    if (this.head === items.length) {
      this.items = [];
      this.head = 0;
      this.ended = 0;
    } else if (this.ended > 64 && this.ended > this.live) {
      this.items = items.slice(this.head).filter((t) => !isTerminal(t.status));
      this.head = 0;
      this.ended = 0;
    } else if (this.head > 1024 && this.head * 2 > items.length) {
      this.items = items.slice(this.head);
      this.head = 0;
    }
  }
}

interface PoolQueue {
  /** Priority high to low. */
  buckets: Bucket[];
  byPriority: Map<number, Bucket>;
  /** How many of the pool's tasks are queued or waiting for quota. */
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
      q = { buckets: [], byPriority: new Map(), pending: 0 };
      this.#pools.set(poolId, q);
    }
    return q;
  }

  /** A new task (its seq is the highest so far): after every task of its priority or higher. */
  add(task: TaskRecord): void {
    const q = this.#of(task.poolId);
    let bucket = q.byPriority.get(task.priority);
    if (!bucket) {
      bucket = new Bucket(task.priority);
      q.byPriority.set(task.priority, bucket);
      let i = 0;
      while (i < q.buckets.length && (q.buckets[i] as Bucket).priority > task.priority) i++;
      q.buckets.splice(i, 0, bucket);
    }
    bucket.items.push(task);
    if (isPending(task.status)) q.pending++;
  }

  /** Every status change of a task goes through here, so the index and the count stay right. */
  setStatus(task: TaskRecord, status: TaskStatus): void {
    const q = this.#of(task.poolId);
    if (isPending(task.status)) q.pending--;
    if (isPending(status)) q.pending++;
    const ends = !isTerminal(task.status) && isTerminal(status);
    task.status = status;
    if (!ends) return;
    const bucket = q.byPriority.get(task.priority);
    if (!bucket) return;
    bucket.ended++;
    bucket.dropEnded();
    if (bucket.live === 0) {
      q.byPriority.delete(bucket.priority);
      q.buckets.splice(q.buckets.indexOf(bucket), 1);
    }
  }

  pending(poolId: string): number {
    return this.#pools.get(poolId)?.pending ?? 0;
  }

  /** The first of the pool's unfinished tasks, in claim order (priority, then FIFO), that `ok` accepts. */
  find(poolId: string, ok: (t: TaskRecord) => boolean): TaskRecord | undefined {
    const q = this.#pools.get(poolId);
    if (!q) return undefined;
    for (const bucket of q.buckets) {
      const items = bucket.items;
      for (let i = bucket.head; i < items.length; i++) {
        const t = items[i] as TaskRecord;
        if (!isTerminal(t.status) && ok(t)) return t;
      }
    }
    return undefined;
  }

  /** Every unfinished task of the pool, in claim order (a copy of the list: callers may change statuses). */
  open(poolId: string): TaskRecord[] {
    const out: TaskRecord[] = [];
    for (const bucket of this.#pools.get(poolId)?.buckets ?? []) {
      const items = bucket.items;
      for (let i = bucket.head; i < items.length; i++) {
        const t = items[i] as TaskRecord;
        if (!isTerminal(t.status)) out.push(t);
      }
    }
    return out;
  }
}
