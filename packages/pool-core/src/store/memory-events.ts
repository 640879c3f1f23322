import type { NewTaskEvent, TaskEvent } from "./port.js";

/** Entries per event in a task's log: kind, payload, time (ms). */
const STRIDE = 3;

/**
 * The in-memory store's task events. Each task's log is one flat array (kind, payload, time in
 * ms, per event) instead of an event object and a Date per line: what a finished task leaves in
 * memory is what the garbage collector copies and scans, and the pool alone was spending a third
 * of its time there. The `TaskEvent` objects callers get are built when they read (seqs are 1, 2,
 * 3… in log order, so an event's seq is its place in the log).
 */
export class MemoryEvents {
  readonly #logs = new Map<string, unknown[]>();

  append(taskId: string, events: readonly NewTaskEvent[], atMs: number): TaskEvent[] {
    let log = this.#logs.get(taskId);
    if (!log) {
      log = [];
      this.#logs.set(taskId, log);
    }
    const first = log.length / STRIDE + 1;
    const at = new Date(atMs);
    const added: TaskEvent[] = new Array(events.length);
    for (let i = 0; i < events.length; i++) {
      const e = events[i] as NewTaskEvent;
      log.push(e.kind, e.payload, atMs);
      // Fields named, not spread: a spread with fields after it is slow in V8, and this runs per line.
      added[i] = { kind: e.kind, payload: e.payload, taskId, seq: first + i, at };
    }
    return added;
  }

  /** The task's events after `afterSeq`, at most `limit` (no scan: the page starts at index afterSeq). */
  list(taskId: string, afterSeq: number, limit: number | undefined): TaskEvent[] {
    const log = this.#logs.get(taskId);
    if (!log) return [];
    const count = log.length / STRIDE;
    const from = Math.max(0, Math.min(afterSeq, count));
    const to = limit === undefined ? count : Math.min(count, from + Math.max(0, limit));
    const out: TaskEvent[] = [];
    for (let i = from; i < to; i++) out.push(eventAt(taskId, log, i));
    return out;
  }

  /** Every stored `result` event whose payload names the session, oldest first. */
  sessionResults(claudeSessionId: string): TaskEvent[] {
    const found: TaskEvent[] = [];
    for (const [taskId, log] of this.#logs) {
      for (let i = 0; i < log.length; i += STRIDE) {
        const payload = log[i + 1];
        if (log[i] !== "result" || typeof payload !== "object" || payload === null) continue;
        if ("session_id" in payload && payload.session_id === claudeSessionId)
          found.push(eventAt(taskId, log, i / STRIDE));
      }
    }
    return found.sort((a, b) => a.at.getTime() - b.at.getTime());
  }
}

function eventAt(taskId: string, log: unknown[], index: number): TaskEvent {
  const i = index * STRIDE;
  return {
    kind: log[i] as string,
    payload: log[i + 1],
    taskId,
    seq: index + 1,
    at: new Date(log[i + 2] as number),
  };
}
