import { getEventListeners } from "node:events";
import type { PoolClock } from "../domain/clock.js";
import { isTerminal } from "../domain/types.js";
import type { KillReason } from "../driver/run.js";
import type { ChainRecord, ClaimedTask, Store } from "../store/port.js";
import { claimRunnableTask } from "../store/recovered-result.js";
import type { Settlement } from "./settlement.js";
import type { Slot } from "./slot.js";
import { failureFromError } from "./task-errors.js";
import type { TaskExecution } from "./task-execution.js";
import type { TaskWaiters } from "./waiters.js";

/** The chains this engine drives, as far as leases are concerned. */
export interface ChainLeaseHolder {
  activeChainIds(): string[];
  /** Another engine owns the chain now: stop driving it here. */
  release(chainId: string): void;
  /** Continue a chain taken over from an engine that stopped. */
  resume(record: ChainRecord): void;
}

export interface SchedulerDeps {
  poolId: string;
  engineId: string;
  store: Store;
  slots: readonly Slot[];
  leaseMs: number;
  pollIntervalMs: number;
  execution: TaskExecution;
  settlement: Settlement;
  waiters: TaskWaiters;
  chains: ChainLeaseHolder;
  /** The pool's time: a wake at a usage limit's reset is measured on it. */
  clock: PoolClock;
}

interface Running {
  controller: AbortController;
  done: Promise<void>;
}

/**
 * The claim loop: each idle slot claims the best task it may run from the store (which owns the
 * queue), runs it, and claims again when it is free. Also keeps this engine's tasks and chains
 * leased, and adopts chains whose engine stopped renewing theirs.
 */
export class Scheduler {
  readonly #d: SchedulerDeps;
  readonly #running = new Map<string, Running>();
  /**
   * Controllers whose task ended unaborted and left no listener on the signal: the next tasks take
   * them. Node builds an AbortSignal slowly (~3 µs, a prototype change), a visible share of a
   * task's cost in the pool alone. A controller is only handed on once its task is out of
   * `#running`, so nothing can abort it for the old task any more.
   */
  readonly #spare: AbortController[] = [];
  #timers: NodeJS.Timeout[] = [];
  #unsubscribe: () => void = () => {};
  #pumping = false;
  #pumpAgain = false;
  /** No more claiming (drain or shutdown began). */
  #stopped = false;
  #closed = false;

  constructor(deps: SchedulerDeps) {
    this.#d = deps;
  }

  async start(): Promise<void> {
    const d = this.#d;
    this.#unsubscribe = d.store.subscribe(d.poolId, (note) => {
      if (note.type === "task_queued") this.pump();
      else if (note.type === "task_changed") {
        // A task ending here is announced by its settlement, which hands waiters its result (no
        // read again); the task's run ending wakes them in any case (#startTask).
        if (!(isTerminal(note.status) && this.#running.has(note.taskId))) d.waiters.wake(note.taskId);
        if (isTerminal(note.status)) this.pump();
      }
    });
    const poll = setInterval(() => this.pump(), d.pollIntervalMs);
    const leases = setInterval(() => void this.#renewLeases(), Math.max(50, Math.floor(d.leaseMs / 3)));
    poll.unref();
    leases.unref();
    this.#timers.push(poll, leases);
    this.pump();
    await this.#adoptOrphanedChains();
  }

  /** The running task's controller and completion, if it runs on this engine. */
  running(taskId: string): Running | undefined {
    return this.#running.get(taskId);
  }

  /** Claim nothing more (drain, shutdown); running tasks go on. */
  stopClaiming(): void {
    this.#stopped = true;
  }

  /** Stops every running task for `reason` and waits for them. */
  async abortAll(reason: KillReason): Promise<void> {
    for (const r of this.#running.values()) r.controller.abort(reason);
    await this.idle();
  }

  /** Resolves once no task runs here. */
  async idle(): Promise<void> {
    await Promise.all([...this.#running.values()].map((r) => r.done));
  }

  /** Runs the claim loop again at `at` (a parked task becomes claimable). */
  wakeAt(at: Date): void {
    if (this.#closed) return;
    const timer = setTimeout(() => this.pump(), Math.max(0, at.getTime() - this.#d.clock.now()) + 10);
    timer.unref();
    this.#timers.push(timer);
  }

  close(): void {
    this.#stopped = true;
    this.#closed = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers = [];
    this.#unsubscribe();
  }

  /** Single-flight: one claiming pass at a time; a request during a pass triggers another pass. */
  pump(): void {
    if (this.#closed) return;
    if (this.#pumping) {
      this.#pumpAgain = true;
      return;
    }
    this.#pumping = true;
    void this.#claimPass();
  }

  async #claimPass(): Promise<void> {
    const d = this.#d;
    try {
      do {
        this.#pumpAgain = false;
        for (const slot of d.slots) {
          if (slot.busy || this.#stopped) continue;
          // Never a task whose dead run already finished: that one is settled from its result line.
          const task = await claimRunnableTask(d.store, {
            poolId: d.poolId,
            engineId: d.engineId,
            slotId: slot.id,
            slotRole: slot.role,
            leaseMs: d.leaseMs,
            credential: slot.credential,
            slot: slot.record,
          });
          if (!task) continue;
          slot.occupy(task.id);
          this.#startTask(slot, task);
        }
      } while (this.#pumpAgain && !this.#closed);
    } catch (err) {
      // A store hiccup must not stop the pool; the poll timer tries again.
      process.emitWarning(`claude-pool: claiming work failed: ${String(err)}`);
    } finally {
      // In the same synchronous run as the loop's last check: a `.finally()` on the promise ran a
      // microtask later, and a pump() in between only set #pumpAgain for a loop that had ended, so
      // the task it announced waited for the poll timer (~1 s a task, bench row 3).
      this.#pumping = false;
    }
  }

  #startTask(slot: Slot, task: ClaimedTask): void {
    const d = this.#d;
    const { execution, settlement } = d;
    const controller = this.#spare.pop() ?? new AbortController();
    const signal = controller.signal;
    const done = execution
      .execute(slot, task, signal)
      .catch((err: unknown) => settlement.finish(slot, task, failureFromError(err), null))
      .finally(async () => {
        this.#running.delete(task.id);
        d.waiters.wake(task.id); // settlement woke them already unless the task ended elsewhere
        if (!signal.aborted && getEventListeners(signal, "abort").length === 0) this.#spare.push(controller);
        // Settlement normally freed the slot already; a task that ended without it (lost lease) frees it here.
        if (slot.release(task.id)) await settlement.saveSlot(slot).catch(() => {});
        this.pump();
      });
    this.#running.set(task.id, { controller, done });
  }

  /** Keeps our tasks and chains ours, and takes over chains whose engine stopped renewing them. */
  async #renewLeases(): Promise<void> {
    const d = this.#d;
    try {
      const ids = [...this.#running.keys()];
      if (ids.length > 0) {
        const lost = await d.store.renewLeases(d.engineId, ids, d.leaseMs);
        for (const id of lost) this.#running.get(id)?.controller.abort("lease_lost" satisfies KillReason);
      }
      const chainIds = d.chains.activeChainIds();
      if (chainIds.length > 0) {
        for (const id of await d.store.renewChainLeases(d.engineId, chainIds, d.leaseMs))
          d.chains.release(id);
      }
      await this.#adoptOrphanedChains();
    } catch (err) {
      process.emitWarning(`claude-pool: renewing leases failed: ${String(err)}`);
    }
  }

  /** Chains left running by an engine that died continue here at the step they were on. */
  async #adoptOrphanedChains(): Promise<void> {
    if (this.#stopped) return;
    const d = this.#d;
    const orphans = await d.store.claimOrphanedChains(d.poolId, d.engineId, d.leaseMs);
    for (const record of orphans) d.chains.resume(record);
  }
}
