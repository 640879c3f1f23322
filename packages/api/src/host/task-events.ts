import { isTerminal, type Pool, type TaskEvent } from "@claude-pool/core";
import { Notifier } from "./notifier.js";

export interface TaskEventView {
  seq: number;
  kind: string;
  payload: unknown;
  at: string;
}

/**
 * A task's stream: every stored event after `afterSeq`, then each new one as it is stored (on any
 * engine: the store's notifications cross processes), ending once the task has ended and its last
 * event was sent. It subscribes before reading, and reads by sequence number (gapless per task),
 * so a reader resuming after seq n gets n+1, n+2… with nothing missed and nothing twice.
 */
export async function* taskEventStream(
  pool: Pool,
  taskId: string,
  afterSeq: number,
  signal: AbortSignal | undefined,
): AsyncGenerator<TaskEventView> {
  const changed = new Notifier();
  const unsubscribe = pool.store.subscribe(pool.id, (note) => {
    if (note.taskId === taskId && note.type !== "task_queued") changed.notify();
  });
  try {
    let last = afterSeq;
    while (!signal?.aborted) {
      // Read the status before the events: events are stored before the task ends, so a task seen
      // ended here has all its events in the read that follows.
      const task = await pool.task(taskId);
      for (const e of await pool.store.listTaskEvents(taskId, last)) {
        if (e.seq <= last) continue;
        last = e.seq;
        yield eventView(e);
      }
      if (isTerminal(task.status)) return;
      await changed.wait(signal, 10_000);
    }
  } finally {
    unsubscribe();
  }
}

function eventView(e: TaskEvent): TaskEventView {
  return { seq: e.seq, kind: e.kind, payload: e.payload, at: e.at.toISOString() };
}
