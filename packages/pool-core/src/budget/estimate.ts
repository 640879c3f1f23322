import type { Micros } from "../domain/money.js";
import type { BudgetState } from "../store/port.js";

/** The percentile of recent task costs a reservation must cover (nearest rank). */
export const COST_PERCENTILE = 0.9;
/** What a reservation adds over the learned cost when the budget has room, so most tasks finish. */
export const COST_HEADROOM = 1.25;

/** What a task asks the store for: it gets `desired` if the caps allow, starts with no less than `minimum`. */
export interface BudgetNeed {
  desiredMicros: Micros;
  minimumMicros: Micros;
}

/** The figures the need is computed from (all integer micro-dollars). */
export interface NeedInputs {
  /** The task's own cap, else the pool's `taskBudgetUsd`; null when neither is set. */
  taskCapMicros: Micros | null;
  /** `minTaskBudgetUsd`: the learned cost never goes below it. */
  floorMicros: Micros;
  /** The store's recent task costs, newest first. */
  recentCostsMicros: Micros[];
  /** What the tightest cap would have left once every reservation in flight settled unspent. */
  attainableMicros: Micros;
  slotCount: number;
}

/**
 * What a finished task costs, learned from the pool's recent tasks: the COST_PERCENTILE of the
 * samples (nearest rank), never below the floor. Undefined when nothing was learned yet.
 */
export function learnedTaskCost(recentCostsMicros: Micros[], floorMicros: Micros): Micros | undefined {
  if (recentCostsMicros.length === 0) return undefined;
  const sorted = [...recentCostsMicros].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(COST_PERCENTILE * sorted.length));
  return Math.max(floorMicros, sorted[rank - 1] ?? 0);
}

/**
 * How much a task reserves. A reservation has to buy a finished task (one smaller than the task's
 * cost spends money and returns nothing), so:
 * - the minimum it starts with is the learned cost (capped by the task's own cap): with
 *   deterministic costs a cap of k task costs runs exactly k tasks;
 * - it asks for more when there is room: the task's cap if it has one, else the learned cost plus
 *   COST_HEADROOM or an even share of what is left over the slots, whichever is larger;
 * - before anything was learned, the first task may take all that is left (no less than the
 *   floor): what it costs is unknown, and the others wait for it rather than start starved.
 */
export function budgetNeed(i: NeedInputs): BudgetNeed {
  const learned = learnedTaskCost(i.recentCostsMicros, i.floorMicros);
  const unknownCost = Math.max(i.floorMicros, i.attainableMicros);
  const estimate = learned ?? unknownCost;
  const share = Math.floor(i.attainableMicros / Math.max(1, i.slotCount));
  const roomy = learned === undefined ? unknownCost : Math.max(Math.ceil(learned * COST_HEADROOM), share);
  const desiredMicros = i.taskCapMicros ?? roomy;
  return { desiredMicros, minimumMicros: Math.min(desiredMicros, estimate) };
}

/** Whether any cap applies to the pool (its own, or its team's monthly one). */
export function hasCap(b: BudgetState): boolean {
  return b.capMicros !== null || (b.team !== null && b.team.monthlyCapMicros !== null);
}

/** cap − spent under the tightest cap (Infinity with none). */
export function attainableOf(b: BudgetState): Micros {
  let room = Number.POSITIVE_INFINITY;
  if (b.capMicros !== null) room = Math.min(room, b.capMicros - b.spentMicros);
  if (b.team && b.team.monthlyCapMicros !== null)
    room = Math.min(room, b.team.monthlyCapMicros - b.team.monthSpentMicros);
  return Math.max(0, room);
}

/** cap − spent − reserved under the tightest cap (Infinity with none). */
export function availableOf(b: BudgetState): Micros {
  let room = Number.POSITIVE_INFINITY;
  if (b.capMicros !== null) room = Math.min(room, b.capMicros - b.spentMicros - b.reservedMicros);
  if (b.team && b.team.monthlyCapMicros !== null) {
    room = Math.min(room, b.team.monthlyCapMicros - b.team.monthSpentMicros - b.team.reservedMicros);
  }
  return Math.max(0, room);
}
