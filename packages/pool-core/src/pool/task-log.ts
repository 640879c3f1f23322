import type { StreamLine } from "../driver/messages.js";
import type { NewTaskEvent, RunningTaskPatch, Store, TaskEvent } from "../store/port.js";
import { processRecord } from "./orphans.js";

/**
 * Persists a task's stream lines in order, batching whatever arrives while a write is in flight,
 * and announces each batch only after it is stored. `flush()` resolves when everything pushed so
 * far is persisted: the task's end is announced after that.
 */
export class TaskEventWriter {
  #queue: NewTaskEvent[] = [];
  #flushing: Promise<void> | null = null;
  /** Applied to the task with the next write (see `Store.appendTaskEvents`). */
  #patch: RunningTaskPatch | undefined;
  #error: unknown = null;

  constructor(
    private readonly store: Store,
    private readonly taskId: string,
    private readonly onPersisted: (events: TaskEvent[]) => void,
  ) {}

  /** Queues the event; with `patch`, the task's record is patched in the same write. */
  push(event: NewTaskEvent, patch?: RunningTaskPatch): void {
    this.#queue.push(event);
    if (patch) this.#patch = { ...this.#patch, ...patch };
    this.#flushing ??= this.#drain();
  }

  async flush(): Promise<void> {
    while (this.#flushing) await this.#flushing;
    if (this.#error) throw this.#error;
  }

  async #drain(): Promise<void> {
    try {
      // One microtask first: the lines of one stdout chunk (or a driver's lines emitted together)
      // are pushed in one synchronous run, and go in one write instead of the first alone.
      await null;
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0);
        const patch = this.#patch;
        this.#patch = undefined;
        const saved = await this.store.appendTaskEvents(this.taskId, batch, patch);
        this.onPersisted(saved);
      }
    } catch (err) {
      this.#error = err;
      this.#queue = [];
      this.#patch = undefined;
    } finally {
      this.#flushing = null;
    }
  }
}

/**
 * One run's stream handlers, as a driver's `RunRequest` takes them: every stdout line, stderr
 * chunk and spawn into the task's writer, and the session the init line names saved to the
 * task's record with that line (once per run). Methods bound here, not closures in the task's loop: under tsx's
 * keep-names transform each closure assigned to a property costs a defineProperty per task.
 */
export class RunStream {
  readonly onLine: (line: StreamLine) => void;
  readonly onStderr: (text: string) => void;
  readonly onSpawn: (pid: number, spawned: boolean) => void;
  #sessionSaved = false;

  constructor(private readonly writer: TaskEventWriter) {
    this.onLine = this.#line.bind(this);
    this.onStderr = this.#stderr.bind(this);
    this.onSpawn = this.#spawn.bind(this);
  }

  #line(line: StreamLine): void {
    if (line.kind === "noise") this.writer.push({ kind: "noise", payload: line.text });
    else if (line.kind === "init" && !this.#sessionSaved) {
      this.#sessionSaved = true;
      // Saved with the init line itself (one write, not two). Best effort as before: a write that
      // fails (a database restart) is the writer's to swallow, and the session is saved at the end.
      const patch: RunningTaskPatch = { claudeSessionId: line.raw.session_id };
      if (line.raw.model !== undefined) patch.model = line.raw.model;
      this.writer.push({ kind: line.raw.type, payload: line.raw }, patch);
    } else this.writer.push({ kind: line.kind === "other" ? line.type : line.raw.type, payload: line.raw });
  }

  #stderr(text: string): void {
    this.writer.push({ kind: "stderr", payload: text });
  }

  #spawn(pid: number, spawned: boolean): void {
    this.writer.push({ kind: "process", payload: processRecord(pid, spawned) });
  }
}
