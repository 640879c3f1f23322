import { BudgetExceeded } from "../domain/errors.js";
import { type Micros, microsToUsd, usdToMicros } from "../domain/money.js";
import type { TaskErrorInfo } from "../domain/types.js";
import type { BudgetState, Reservation, Store, TaskRecord } from "../store/port.js";
import { attainableOf, type BudgetNeed, budgetNeed, hasCap } from "./estimate.js";

/** The pool settings budget admission reads (a subset of PoolConfig). */
export interface AdmissionConfig {
  taskBudgetUsd?: number | undefined;
  minTaskBudgetUsd: number;
}

/** The result of one attempt to admit a task. */
export type Admission =
  /** Reserved: run with `--max-budget-usd <micros>` as the backstop. */
  | { kind: "reserved"; micros: Micros }
  /** No cap applies and the task has none: run without a reservation. */
  | { kind: "unlimited" }
  /** Not enough is left now, but reservations in flight may free enough: try again when one settles. */
  | { kind: "wait"; need: BudgetNeed; availableMicros: Micros; limitedBy: "pool" | "team" }
  /** Even with every reservation in flight released, what is left cannot cover the task. */
  | { kind: "refused"; error: TaskErrorInfo };

/** How a task that does not run ends: what the pool settles it with (null: not ours to settle). */
export interface AdmissionEnd {
  status: "failed" | "cancelled" | "timed_out";
  error: TaskErrorInfo;
}

/**
 * How `admit` ends: reserved or unlimited (run it), refused, or the task's signal aborted while it
 * waited. `end` is how to settle a task that will not run; null after a lost lease (another
 * engine owns the task now).
 */
export type AdmissionOutcome =
  | Extract<Admission, { kind: "reserved" | "unlimited" }>
  | { kind: "refused"; error: TaskErrorInfo; end: AdmissionEnd }
  | { kind: "aborted"; reason: unknown; end: AdmissionEnd | null };

export interface AdmitOptions {
  /** Called once when the task starts waiting (for an event or a log line). */
  onWait?: (wait: Extract<Admission, { kind: "wait" }>) => void;
}

/** How often a waiting task looks again even without a notification (a raised cap notifies nobody). */
const RECHECK_MS = 1000;

/**
 * Budget admission for one pool. Before a task runs it reserves money through the store's atomic
 * `reserveBudget`, which checks the pool's cap and its team's monthly cap together, so
 * spent + reserved never passes either however many tasks or engines race. What it reserves is
 * meant to buy a finished task (see `budgetNeed`): a task that cannot be covered waits while other
 * reservations are in flight, and is refused only when nothing in flight could free enough.
 */
export class BudgetAdmission {
  constructor(
    private readonly store: Store,
    private readonly poolId: string,
    private readonly config: AdmissionConfig,
    private readonly slotCount: number,
  ) {}

  /**
   * Throws BudgetExceeded at submit when the task could never start: what is left under the pool's
   * or the team's cap, with every reservation in flight released, cannot cover it. Judged with the
   * task's own cap (else the pool's per-task budget), as admission will: a task capped below the
   * pool's learned cost per task needs only its cap.
   */
  async assertRemains(task: Pick<TaskRecord, "maxBudgetMicros">): Promise<void> {
    const budget = await this.store.getBudget(this.poolId);
    if (!hasCap(budget)) return;
    const need = this.#need(budget, this.#taskCap(task), attainableOf(budget));
    const limitedBy = limitingCap(budget, need.minimumMicros);
    if (limitedBy === null) return;
    const error = refusal(budget, limitedBy, need.minimumMicros);
    throw new BudgetExceeded(
      error.message,
      Number(error.details?.remainingUsd ?? 0),
      Number(error.details?.requiredUsd ?? 0),
    );
  }

  /** One attempt: reserve, or say whether to wait or refuse. */
  async tryReserve(task: TaskRecord): Promise<Admission> {
    const taskCap = this.#taskCap(task);
    const budget = await this.store.getBudget(this.poolId);
    if (!hasCap(budget) && taskCap === null) return { kind: "unlimited" };
    const need = this.#need(budget, taskCap, attainableOf(budget));
    const reservation: Reservation = await this.store.reserveBudget({
      poolId: this.poolId,
      taskId: task.id,
      desiredMicros: need.desiredMicros,
      minimumMicros: need.minimumMicros,
    });
    if (reservation.kind === "granted") return { kind: "reserved", micros: reservation.micros };
    // Judge on the store's own figures (taken under its lock), not the snapshot read before.
    const fresh = this.#need(budget, taskCap, reservation.attainableMicros);
    if (reservation.attainableMicros >= fresh.minimumMicros) {
      return {
        kind: "wait",
        need: fresh,
        availableMicros: reservation.availableMicros,
        limitedBy: reservation.limitedBy,
      };
    }
    return {
      kind: "refused",
      error: refusalOf(reservation.limitedBy, reservation.attainableMicros, fresh.minimumMicros, budget),
    };
  }

  /**
   * Admits a task, waiting while it must: it tries again whenever a task of the pool changes state
   * (a settlement may have freed money) and every RECHECK_MS. Ends `aborted` if `signal` aborts
   * while it waits (cancel, timeout, shutdown); nothing is reserved then.
   */
  async admit(task: TaskRecord, signal: AbortSignal, options: AdmitOptions = {}): Promise<AdmissionOutcome> {
    // The common case, decided at the first try, makes no closure and no subscription.
    if (signal.aborted) return this.#waitForRoom(task, signal, options, false);
    const first = await this.tryReserve(task);
    if (first.kind !== "wait") return admitted(first);
    options.onWait?.(first);
    return this.#waitForRoom(task, signal, options, true);
  }

  async #waitForRoom(
    task: TaskRecord,
    signal: AbortSignal,
    options: AdmitOptions,
    announcedAlready: boolean,
  ): Promise<AdmissionOutcome> {
    let announced = announcedAlready;
    const announce = (attempt: Extract<Admission, { kind: "wait" }>) => {
      if (announced) return;
      announced = true;
      options.onWait?.(attempt);
    };
    let changed = false;
    let wake: (() => void) | undefined;
    const poke = () => {
      changed = true;
      wake?.();
    };
    const unsubscribe = this.store.subscribe(this.poolId, (note) => {
      if (note.type === "task_changed" && note.status !== "running") poke();
    });
    signal.addEventListener("abort", poke);
    try {
      // The first pass asks again at once: a settlement may have come before we listened.
      for (;;) {
        if (signal.aborted) return { kind: "aborted", reason: signal.reason, end: abortedEnd(signal.reason) };
        changed = false;
        const attempt = await this.tryReserve(task);
        if (attempt.kind !== "wait") return admitted(attempt);
        announce(attempt);
        if (changed) continue; // something settled while we asked: ask again at once
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, RECHECK_MS);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
    } finally {
      unsubscribe();
      signal.removeEventListener("abort", poke);
    }
  }

  #taskCap(task: Pick<TaskRecord, "maxBudgetMicros">): Micros | null {
    if (task.maxBudgetMicros !== null) return task.maxBudgetMicros;
    return this.config.taskBudgetUsd === undefined ? null : usdToMicros(this.config.taskBudgetUsd);
  }

  #need(budget: BudgetState, taskCapMicros: Micros | null, attainableMicros: Micros): BudgetNeed {
    return budgetNeed({
      taskCapMicros,
      floorMicros: usdToMicros(this.config.minTaskBudgetUsd),
      recentCostsMicros: budget.recentTaskCostsMicros,
      attainableMicros,
      slotCount: this.slotCount,
    });
  }
}

/** An attempt that decided: run it, or settle it as refused. */
function admitted(attempt: Exclude<Admission, { kind: "wait" }>): AdmissionOutcome {
  return attempt.kind === "refused"
    ? { ...attempt, end: { status: "failed", error: attempt.error } }
    : attempt;
}

/** A task whose signal aborted while it waited for budget: cancelled or timed out, never charged. */
function abortedEnd(reason: unknown): AdmissionEnd | null {
  if (reason === "lease_lost") return null;
  if (reason === "timeout") {
    return {
      status: "timed_out",
      error: { code: "TIMEOUT", message: "timed out while waiting for budget", reason: "timeout" },
    };
  }
  return {
    status: "cancelled",
    error: { code: "CANCELLED", message: "cancelled while waiting for budget", reason: "cancelled" },
  };
}

/** The cap (pool's first) that cannot cover `minimum` even with every reservation released, if any. */
function limitingCap(b: BudgetState, minimum: Micros): "pool" | "team" | null {
  if (b.capMicros !== null && b.capMicros - b.spentMicros < minimum) return "pool";
  if (
    b.team &&
    b.team.monthlyCapMicros !== null &&
    b.team.monthlyCapMicros - b.team.monthSpentMicros < minimum
  ) {
    return "team";
  }
  return null;
}

function refusal(b: BudgetState, limitedBy: "pool" | "team", minimum: Micros): TaskErrorInfo {
  const left =
    limitedBy === "pool"
      ? (b.capMicros ?? 0) - b.spentMicros
      : (b.team?.monthlyCapMicros ?? 0) - (b.team?.monthSpentMicros ?? 0);
  return refusalOf(limitedBy, Math.max(0, left), minimum, b);
}

/** BUDGET_EXCEEDED with the figures: which cap, what is left of it, what a task needs. */
function refusalOf(limitedBy: "pool" | "team", left: Micros, minimum: Micros, b: BudgetState): TaskErrorInfo {
  const cap = limitedBy === "pool" ? b.capMicros : (b.team?.monthlyCapMicros ?? null);
  const whose = limitedBy === "pool" ? "the pool's budget" : `team ${b.team?.id ?? ""}'s monthly budget`;
  return {
    code: "BUDGET_EXCEEDED",
    message:
      `${whose} cannot cover the task: $${microsToUsd(left)} of $${microsToUsd(cap ?? 0)} is left even if` +
      ` the running tasks spend nothing more, and a task needs $${microsToUsd(minimum)}`,
    reason: "budget_exceeded",
    details: {
      limitedBy,
      remainingUsd: microsToUsd(left),
      requiredUsd: microsToUsd(minimum),
      capUsd: cap === null ? null : microsToUsd(cap),
    },
  };
}
