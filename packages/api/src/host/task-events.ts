import { isTerminal, type Pool, type TaskEvent, type TaskRecord } from "@claude-pool/core";
import { Broadcast, Notifier } from "./notifier.js";

export interface TaskEventView {
  seq: number;
  kind: string;
  payload: unknown;
  at: string;
}

/**
 * Events read from the store in one query, at most: a replay of a stream of many MB is read a
 * page at a time, so neither a reader nor the feed ever holds a whole stream (a stuck reader of a
 * 5 MB stream cost ~90 MB of RSS when its replay was one query).
 */
export const EVENT_PAGE = 200;
/**
 * Recent events the shared feed keeps for its subscribers. A subscriber that falls behind the
 * window (a slow or stuck client) reads its stretch from the store by seq instead, a page at a
 * time, so the feed's memory does not grow with the stream or with the slowest reader.
 */
export const FEED_WINDOW = 2 * EVENT_PAGE;

/**
 * A task's stream: every stored event after `afterSeq`, then each new one as it is stored (on any
 * engine: the store's notifications cross processes), ending once the task has ended and its last
 * event was sent. Reads by sequence number (gapless per task), so a reader resuming after seq n
 * gets n+1, n+2… with nothing missed and nothing twice.
 *
 * Every subscriber of one task on this engine shares one reader (`TaskFeed`): a stored line costs
 * at most one query however many dashboards watch it, and none when the task runs on this engine
 * (one reader per subscriber made it two per subscriber, and with 200 subscribers the queries
 * queued behind each other for seconds).
 *
 * Memory is bounded per task and per subscriber: the feed keeps the last FEED_WINDOW events, a
 * subscriber behind them reads pages of EVENT_PAGE from the store, and a generator suspended at a
 * `yield` (its client not reading: tRPC's SSE writer pulls the next event only once the socket
 * drained) holds at most one page. The engine closes a socket that stays stalled (stall-guard.ts
 * in apps/engine), and the client resumes with its last event id.
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
    while (!signal?.aborted) {
      const next = feed.changed.next(signal);
      // Behind the feed's window (a resume from long ago, or a reader that lagged while the window
      // moved on): read that stretch from the store, a page at a time.
      if (last < feed.windowStart() - 1) {
        const page = await pool.store.listTaskEvents(taskId, last, EVENT_PAGE);
        let moved = false;
        for (const e of page) {
          if (e.seq <= last) continue;
          last = e.seq;
          moved = true;
          yield eventView(e);
        }
        if (moved) continue;
        // Nothing stored past `last`, yet the feed starts later: its first subscriber resumed
        // after an id beyond the stream's end. Join the feed where it starts (as before paging).
        last = Math.max(last, feed.windowStart() - 1);
      }
      // From the window, by seq: it may be trimmed while this generator is suspended at a yield,
      // so the index is found again for each event, and a reader trimmed past goes back to the store.
      for (let e = feed.eventAfter(last); e; e = feed.eventAfter(last)) {
        last = e.seq;
        yield e;
      }
      if (last < feed.windowStart() - 1) continue;
      if (feed.failure) throw feed.failure.error;
      if (feed.ended && last >= feed.head) return;
      feed.demand.notify();
      await next;
    }
  } finally {
    feed.release();
  }
}

/** One reader of one task's events, shared by the task's subscribers on this engine (ref-counted). */
class TaskFeed {
  static #feeds = new WeakMap<Pool, Map<string, TaskFeed>>();

  /** The last seq this feed has read (it starts at its first subscriber's `afterSeq`). */
  head: number;
  /** The last events read, at most FEED_WINDOW of them (2× before a trim), contiguous by seq, ending at `head`. */
  #window: TaskEventView[] = [];
  readonly changed = new Broadcast();
  /** A subscriber has sent everything the feed read: the feed may read the next page. */
  readonly demand = new Notifier();
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
    this.head = base;
    this.#detach = detach;
    void this.#run(pool, taskId);
  }

  /** The seq of the oldest event in the window (head + 1 when it is empty). */
  windowStart(): number {
    return this.#window[0]?.seq ?? this.head + 1;
  }

  /** The window's event right after `seq`, if the window holds it. */
  eventAfter(seq: number): TaskEventView | undefined {
    const i = seq + 1 - this.windowStart();
    return i >= 0 ? this.#window[i] : undefined;
  }

  release(): void {
    if (--this.#refs > 0) return;
    this.#stop.abort();
    this.#detach();
  }

  /** Adds the next event to the window (it must be `head + 1`), trimming the window in halves. */
  #push(view: TaskEventView): void {
    this.head = view.seq;
    this.#window.push(view);
    // Trimmed in halves, so the copy costs O(1) per event.
    if (this.#window.length > 2 * FEED_WINDOW) this.#window = this.#window.slice(-FEED_WINDOW);
  }

  async #run(pool: Pool, taskId: string): Promise<void> {
    const signal = this.#stop.signal;
    const changed = new Notifier();
    // The task's status is read again only when it may have changed (a `task_changed` note, or a
    // wait that ended without any note). Output-line notes (`task_events`) cannot change it.
    let statusStale = true;
    // The store holds events this feed has not read. A task running on this engine hands its
    // stored lines over in process (`task.output`, after they are stored), so the store is read
    // only for another engine's task, a gap, or a replay: a live line costs no query and no wait
    // for the NOTIFY (bench row 7).
    let needRead = true;
    // The task runs here and hands its lines over: its `task_events` notes need no read. Any
    // change of status ends that (a retry may run on another engine) until the next handover.
    let local = false;
    let noted = false;
    const unsubscribeStore = pool.store.subscribe(pool.id, (note) => {
      if (note.taskId !== taskId || note.type === "task_queued") return;
      noted = true;
      if (note.type === "task_changed") {
        statusStale = true;
        local = false;
      } else {
        // Handed over already, or about to be.
        if (local || note.lastSeq <= this.head) return;
        needRead = true;
      }
      changed.notify();
    });
    const unsubscribeLocal = pool.onTaskOutput((e) => {
      if (e.taskId !== taskId) return;
      local = true;
      if (e.seq <= this.head) return;
      noted = true;
      if (e.seq === this.head + 1) {
        this.#push(Object.freeze({ seq: e.seq, kind: e.kind, payload: e.payload, at: e.at }));
        this.changed.wake();
        return;
      }
      needRead = true; // a gap: read it from the store, in order
      changed.notify();
    });
    try {
      let task: TaskRecord | null = null;
      while (!signal.aborted) {
        if (statusStale || task === null) {
          statusStale = false;
          task = await pool.task(taskId);
          // Events are stored before the task ends: one read after seeing it ended has them all.
          if (isTerminal(task.status)) needRead = true;
        }
        if (needRead) {
          needRead = false;
          const page = await pool.store.listTaskEvents(taskId, this.head, EVENT_PAGE);
          for (const e of page) if (e.seq === this.head + 1) this.#push(eventView(e));
          this.changed.wake();
          if (page.length === EVENT_PAGE) {
            // More is stored already (a replay, or output faster than a page per read). Read on at
            // the pace of the fastest subscriber, not ahead of all of them: a page nobody is ready
            // for would only be trimmed again. The timeout keeps a feed whose readers are all stuck
            // moving, slowly, so it sees the task end.
            needRead = true;
            await this.demand.wait(signal, 1000);
            continue;
          }
        }
        if (needRead || statusStale) continue;
        if (isTerminal(task.status)) break;
        noted = false;
        await changed.wait(signal, 10_000);
        if (!noted) {
          // The ceiling: a lost notification, or a handover that never came.
          statusStale = true;
          needRead = true;
        }
      }
    } catch (error) {
      this.failure = { error };
    } finally {
      unsubscribeStore();
      unsubscribeLocal();
      this.ended = true;
      // A new subscriber from now on starts a feed of its own.
      this.#detach();
      this.changed.wake();
    }
  }
}

/**
 * Frozen: one view goes to every subscriber of the feed, and the engine's SSE writer (the patched
 * @trpc/server, patches/ at the root) serializes a frozen value once for all of them.
 */
function eventView(e: TaskEvent): TaskEventView {
  return Object.freeze({ seq: e.seq, kind: e.kind, payload: e.payload, at: e.at.toISOString() });
}
