import { EventEmitter } from "node:events";
import type { ChainProgress } from "../compose/chains/schema.js";
import type { DrainSummary, SlotInfo, TaskErrorInfo, TaskResult } from "./types.js";

/** Everything a pool announces. Each is emitted only after the state it reports is persisted. */
export type PoolEvent =
  | { type: "task.queued"; taskId: string; priority: number }
  | { type: "task.started"; taskId: string; slotId: string; attempt: number }
  /** `at`: when the store stored the line (ISO 8601, UTC), as `listTaskEvents` gives it. */
  | { type: "task.output"; taskId: string; seq: number; kind: string; payload: unknown; at: string }
  | { type: "task.waiting_for_quota"; taskId: string; resetsAt: string }
  | { type: "task.completed"; taskId: string; result: TaskResult }
  | {
      type: "task.failed";
      taskId: string;
      status: "failed" | "cancelled" | "timed_out";
      error: TaskErrorInfo;
    }
  | { type: "slot.updated"; slot: SlotInfo }
  | { type: "budget.updated"; spentUsd: number; reservedUsd: number; budgetUsd: number | null }
  | { type: "chain.progress"; chainId: string; progress: ChainProgress }
  | { type: "pool.drained"; summary: DrainSummary };

export type PoolEventType = PoolEvent["type"];

/** A typed wrapper over EventEmitter: `on("event", fn)` gets every event, `on("task.completed", fn)` one kind. */
export class PoolEvents {
  #emitter = new EventEmitter();

  constructor() {
    this.#emitter.setMaxListeners(0);
  }

  on(name: "event", fn: (e: PoolEvent) => void): () => void;
  on<T extends PoolEventType>(name: T, fn: (e: Extract<PoolEvent, { type: T }>) => void): () => void;
  on(name: string, fn: (e: PoolEvent) => void): () => void {
    this.#emitter.on(name, fn);
    return () => this.#emitter.off(name, fn);
  }

  /**
   * Whether anyone listens for `type` (or for every event): an event nobody hears need not be
   * built, nor the state it reports read (the pool alone pays for each per task).
   */
  heard(type: PoolEventType): boolean {
    return this.#emitter.listenerCount(type) > 0 || this.#emitter.listenerCount("event") > 0;
  }

  emit(event: PoolEvent): void {
    this.#emitter.emit(event.type, event);
    this.#emitter.emit("event", event);
  }
}
