import type { NewTaskEvent, Store, TaskEvent } from "../store/port.js";

/**
 * Persists a task's stream lines in order, batching whatever arrives while a write is in flight,
 * and announces each batch only after it is stored. `flush()` resolves when everything pushed so
 * far is persisted: the task's end is announced after that.
 */
export class TaskEventWriter {
  #queue: NewTaskEvent[] = [];
  #flushing: Promise<void> | null = null;
  #error: unknown = null;

  constructor(
    private readonly store: Store,
    private readonly taskId: string,
    private readonly onPersisted: (events: TaskEvent[]) => void,
  ) {}

  push(event: NewTaskEvent): void {
    this.#queue.push(event);
    this.#flushing ??= this.#drain();
  }

  async flush(): Promise<void> {
    while (this.#flushing) await this.#flushing;
    if (this.#error) throw this.#error;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0);
        const saved = await this.store.appendTaskEvents(this.taskId, batch);
        this.onPersisted(saved);
      }
    } catch (err) {
      this.#error = err;
      this.#queue = [];
    } finally {
      this.#flushing = null;
    }
  }
}
