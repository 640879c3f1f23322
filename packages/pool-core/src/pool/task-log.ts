import type { StreamLine } from "../driver/messages.js";
import type { NewTaskEvent, Store, TaskEvent } from "../store/port.js";
import { processRecord } from "./orphans.js";

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

/**
 * One run's stream handlers, as a driver's `RunRequest` takes them: every stdout line, stderr
 * chunk and spawn into the task's writer, and the session the init line names saved to the
 * task's record (once per run). Methods bound here, not closures in the task's loop: under tsx's
 * keep-names transform each closure assigned to a property costs a defineProperty per task.
 */
export class RunStream {
  readonly onLine: (line: StreamLine) => void;
  readonly onStderr: (text: string) => void;
  readonly onSpawn: (pid: number, spawned: boolean) => void;
  #sessionSaved = false;

  constructor(
    private readonly writer: TaskEventWriter,
    private readonly store: Store,
    private readonly taskId: string,
  ) {
    this.onLine = this.#line.bind(this);
    this.onStderr = this.#stderr.bind(this);
    this.onSpawn = this.#spawn.bind(this);
  }

  #line(line: StreamLine): void {
    if (line.kind === "noise") this.writer.push({ kind: "noise", payload: line.text });
    else this.writer.push({ kind: line.kind === "other" ? line.type : line.raw.type, payload: line.raw });
    if (line.kind === "init" && !this.#sessionSaved) {
      this.#sessionSaved = true;
      // Best effort: a store that is briefly unreachable (a database restart) must not become
      // an unhandled rejection that ends the engine; the init line is in the task's events too.
      void this.store
        .updateRunningTask(this.taskId, { claudeSessionId: line.raw.session_id, model: line.raw.model })
        .catch(() => {});
    }
  }

  #stderr(text: string): void {
    this.writer.push({ kind: "stderr", payload: text });
  }

  #spawn(pid: number, spawned: boolean): void {
    this.writer.push({ kind: "process", payload: processRecord(pid, spawned) });
  }
}
