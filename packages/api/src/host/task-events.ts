import { isTerminal, type Pool, type TaskEvent, type TaskRecord } from "@claude-pool/core";
import { Broadcast, Notifier } from "./notifier.js";

export interface TaskEventView {
  seq: number;
  kind: string;
  payload: unknown;
  at: string;
}

/**
 * A task's stream: every stored event after `afterSeq`, then each new one as it is stored (on any
 * engine: the store's notifications cross processes), ending once the task has ended and its last
 * event was sent. Reads by sequence number (gapless per task), so a reader resuming after seq n
 * gets n+1, n+2… with nothing missed and nothing twice.
 *
 * Every subscriber of one task on this engine shares one reader (`TaskFeed`): a stored line costs
 * two queries however many dashboards watch it (one reader per subscriber made it two per
 * subscriber, and with 200 subscribers the queries queued behind each other for seconds).
 */
export async function* taskEventStream(
  pool: Pool,
  taskId: string,
  afterSeq: number,
  signal: AbortSignal | undefined,
): AsyncGenerator<TaskEventView> {
  const feed = TaskFeed.acquire(pool, taskId, afterSeq);
  try {
    let last = afterSeq;
    // A subscriber resuming from before the feed's start reads that stretch itself.
    if (last < feed.base) {
      for (const e of await pool.store.listTaskEvents(taskId, last)) {
        if (e.seq > feed.base) break;
        if (e.seq <= last) continue;
        last = e.seq;
        yield eventView(e);
      }
      last = Math.max(last, feed.base);
    }
    let i = 0;
    while (!signal?.aborted) {
      const next = feed.changed.next(signal);
      for (; i < feed.events.length; i++) {
        const e = feed.events[i] as TaskEventView;
        if (e.seq <= last) continue;
        last = e.seq;
        yield e;
      }
      if (feed.failure) throw feed.failure.error;
      if (feed.ended) return;
      await next;
    }
  } finally {
    feed.release();
  }
}

/** One reader of one task's events, shared by the task's subscribers on this engine (ref-counted). */
class TaskFeed {
  static #feeds = new WeakMap<Pool, Map<string, TaskFeed>>();

  /** Seq after which this feed started reading; `events` hold every event after it, in order. */
  readonly base: number;
  readonly events: TaskEventView[] = [];
  readonly changed = new Broadcast();
  ended = false;
  failure: { error: unknown } | null = null;
  #refs = 0;
  #stop = new AbortController();
  #detach: () => void;

  static acquire(pool: Pool, taskId: string, afterSeq: number): TaskFeed {
    let byTask = TaskFeed.#feeds.get(pool);
    if (!byTask) {
      byTask = new Map();
      TaskFeed.#feeds.set(pool, byTask);
    }
    let feed = byTask.get(taskId);
    if (!feed) {
      const feeds = byTask;
      feed = new TaskFeed(pool, taskId, afterSeq, () => {
        if (feeds.get(taskId) === feed) feeds.delete(taskId);
      });
      byTask.set(taskId, feed);
    }
    feed.#refs++;
    return feed;
  }

  private constructor(pool: Pool, taskId: string, base: number, detach: () => void) {
    this.base = base;
    this.#detach = detach;
    void this.#run(pool, taskId);
  }

  release(): void {
    if (--this.#refs > 0) return;
    this.#stop.abort();
    this.#detach();
  }

  async #run(pool: Pool, taskId: string): Promise<void> {
    const signal = this.#stop.signal;
    const changed = new Notifier();
    // h-live (bench row 7): the task's status is read again only when it may have changed (a
    // `task_changed` note, or a wait that ended without any note): a stored line costs one query,
    // not two. Output-line notes (`task_events`) cannot change the status.
    let statusStale = true;
    let noted = false;
    const unsubscribe = pool.store.subscribe(pool.id, (note) => {
      if (note.taskId !== taskId || note.type === "task_queued") return;
      noted = true;
      if (note.type === "task_changed") statusStale = true;
      changed.notify();
    });
    try {
      let last = this.base;
      let task: TaskRecord | null = null;
      while (!signal.aborted) {
        // Read the status before the events: events are stored before the task ends, so a task seen
        // ended here has all its events in the read that follows.
        if (statusStale || task === null) {
          statusStale = false;
          task = await pool.task(taskId);
        }
        for (const e of await pool.store.listTaskEvents(taskId, last)) {
          if (e.seq <= last) continue;
          last = e.seq;
          this.events.push(eventView(e));
        }
        if (isTerminal(task.status)) break;
        this.changed.wake();
        noted = false;
        await changed.wait(signal, 10_000);
        if (!noted) statusStale = true; // the ceiling: a lost notification
      }
    } catch (error) {
      this.failure = { error };
    } finally {
      unsubscribe();
      this.ended = true;
      // A new subscriber from now on starts a feed of its own.
      this.#detach();
      this.changed.wake();
    }
  }
}

function eventView(e: TaskEvent): TaskEventView {
  return { seq: e.seq, kind: e.kind, payload: e.payload, at: e.at.toISOString() };
}
