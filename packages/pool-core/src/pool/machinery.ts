import { BudgetAdmission } from "../budget.js";
import { ChainRunner } from "../compose/chains/runner.js";
import type { PoolEvents } from "../domain/events.js";
import type { TaskRunner } from "../domain/task-runner.js";
import type { PoolParts } from "./prepare.js";
import { Scheduler } from "./scheduler.js";
import { Settlement } from "./settlement.js";
import type { Slot } from "./slot.js";
import { TaskExecution } from "./task-execution.js";
import type { TaskWaiters } from "./waiters.js";

export interface PoolIdentity {
  poolId: string;
  engineId: string;
  events: PoolEvents;
  waiters: TaskWaiters;
  slots: readonly Slot[];
  /** The pool's own face, which its one chain runner runs steps on. */
  tasks: TaskRunner;
}

export interface PoolMachinery {
  budget: BudgetAdmission;
  settlement: Settlement;
  scheduler: Scheduler;
  chains: ChainRunner;
}

/** Wires the pool's parts: budget admission, settlement, task execution, the chain runner and the scheduler. */
export function assembleMachinery(p: PoolParts, id: PoolIdentity): PoolMachinery {
  const { opts, store } = p;
  const { poolId, engineId, events, waiters } = id;
  const budget = new BudgetAdmission(store, poolId, opts.config, id.slots.length);
  let scheduler: Scheduler | null = null;
  const settlement = new Settlement({
    poolId,
    engineId,
    store,
    events,
    waiters,
    quotaRetryMs: opts.config.quotaRetryMs,
    wakeAt: (at) => scheduler?.wakeAt(at),
  });
  const execution = new TaskExecution({
    poolId,
    poolName: opts.name ?? poolId,
    store,
    opts,
    bin: p.bin,
    env: p.env,
    cwd: p.cwd,
    events,
    budget,
    settlement,
    clock: p.clock,
  });
  const chains = new ChainRunner(
    id.tasks,
    {
      poolId,
      engineId,
      store,
      emit: (event) => events.emit(event),
      worktrees: p.worktrees,
      leaseMs: opts.leaseMs,
      pollIntervalMs: opts.pollIntervalMs,
      repoDir: p.cwd,
    },
    p.skills,
  );
  scheduler = new Scheduler({
    poolId,
    engineId,
    store,
    slots: id.slots,
    leaseMs: opts.leaseMs,
    pollIntervalMs: opts.pollIntervalMs,
    execution,
    settlement,
    waiters,
    chains,
    clock: p.clock,
  });
  return { budget, settlement, scheduler, chains };
}
