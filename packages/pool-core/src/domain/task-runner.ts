import type { TaskRecord } from "../store/port.js";
import type { PoolEvent } from "./events.js";
import type { TaskOptionsInput } from "./options.js";
import type { TaskResult } from "./types.js";

export type TaskOutputEvent = Extract<PoolEvent, { type: "task.output" }>;

/**
 * The one seam between the pool and what composes work on it (chains, fan-out, review, skills):
 * they submit tasks, wait for results, cancel, read a task's record and follow its output, and
 * nothing else. `Pool` implements it; a test may pass any double.
 */
export interface TaskRunner {
  /** Queues a prompt; resolves with the task id once it is persisted. */
  submit(prompt: string, options?: TaskOptionsInput): Promise<string>;
  /** The task's result (null while it runs, unless `wait`); a task that did not complete throws its typed error. */
  result(taskId: string, opts?: { wait?: boolean; signal?: AbortSignal }): Promise<TaskResult | null>;
  /** Cancels a queued or running task; false when it had already ended. */
  cancel(taskId: string): Promise<boolean>;
  /** The task's full record (status, session, spend, error…). */
  task(taskId: string): Promise<TaskRecord>;
  /** Follows every task's persisted output lines; returns an unsubscribe function. */
  onTaskOutput(fn: (event: TaskOutputEvent) => void): () => void;
}
