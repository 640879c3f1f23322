import type { Micros } from "../domain/money.js";
import type { TaskErrorInfo, TaskStatus } from "../domain/types.js";
import {
  type BudgetState,
  isCostSample,
  type PoolRecord,
  RECENT_TASK_COSTS,
  type Reservation,
  type TeamBudgetState,
} from "./port.js";
import { type CapRoom, shortOf } from "./reservation.js";

interface PoolMoney {
  spentMicros: Micros;
  reservedMicros: Micros;
  /** Newest first. */
  recentCosts: Micros[];
}

interface TeamMoney {
  monthlyCapMicros: Micros | null;
  /** The UTC month (`YYYY-MM`) `monthSpentMicros` counts. */
  month: string;
  monthSpentMicros: Micros;
  reservedMicros: Micros;
}

/** `2026-12` for any instant of December 2026, UTC. */
export function utcMonth(at: Date): string {
  return at.toISOString().slice(0, 7);
}

/**
 * The in-memory store's money: each pool's spent and reserved totals and recent task costs, and
 * each team's monthly figures. The in-memory store runs every operation to its end before the
 * next starts, so each method here is atomic; the SQL store does the same in single statements.
 */
export class MemoryBudgetLedger {
  #pools = new Map<string, PoolMoney>();
  #teams = new Map<string, TeamMoney>();
  #clock: () => Date;

  constructor(clock: () => Date) {
    this.#clock = clock;
  }

  #pool(poolId: string): PoolMoney {
    let money = this.#pools.get(poolId);
    if (!money) {
      money = { spentMicros: 0, reservedMicros: 0, recentCosts: [] };
      this.#pools.set(poolId, money);
    }
    return money;
  }

  /** The team's figures, its month rolled over to the current one (last month's spend no longer counts). */
  #team(teamId: string): TeamMoney {
    const month = utcMonth(this.#clock());
    let team = this.#teams.get(teamId);
    if (!team) {
      team = { monthlyCapMicros: null, month, monthSpentMicros: 0, reservedMicros: 0 };
      this.#teams.set(teamId, team);
    }
    if (team.month !== month) {
      team.month = month;
      team.monthSpentMicros = 0;
    }
    return team;
  }

  #teamOf(pool: PoolRecord): TeamMoney | null {
    return pool.teamId ? this.#team(pool.teamId) : null;
  }

  setTeamCap(teamId: string, monthlyCapMicros: Micros | null): void {
    this.#team(teamId).monthlyCapMicros = monthlyCapMicros;
  }

  state(pool: PoolRecord): BudgetState {
    const money = this.#pool(pool.id);
    const team = this.#teamOf(pool);
    const teamState: TeamBudgetState | null =
      team && pool.teamId
        ? {
            id: pool.teamId,
            monthlyCapMicros: team.monthlyCapMicros,
            monthSpentMicros: team.monthSpentMicros,
            reservedMicros: team.reservedMicros,
          }
        : null;
    return {
      capMicros: pool.budgetCapMicros,
      spentMicros: money.spentMicros,
      reservedMicros: money.reservedMicros,
      team: teamState,
      recentTaskCostsMicros: [...money.recentCosts],
    };
  }

  /** Grants against the pool's cap and its team's together, or says which is short. */
  reserve(pool: PoolRecord, desired: Micros, minimum: Micros): Reservation {
    const money = this.#pool(pool.id);
    const team = this.#teamOf(pool);
    const caps: CapRoom[] = [];
    if (pool.budgetCapMicros !== null) {
      const attainable = pool.budgetCapMicros - money.spentMicros;
      caps.push({ name: "pool", attainable, available: attainable - money.reservedMicros });
    }
    if (team && team.monthlyCapMicros !== null) {
      const attainable = team.monthlyCapMicros - team.monthSpentMicros;
      caps.push({ name: "team", attainable, available: attainable - team.reservedMicros });
    }
    const available = Math.min(Number.POSITIVE_INFINITY, ...caps.map((c) => c.available));
    const granted = Math.min(desired, available);
    if (granted >= Math.max(minimum, 1)) {
      money.reservedMicros += granted;
      if (team) team.reservedMicros += granted;
      return { kind: "granted", micros: granted };
    }
    return shortOf(caps, minimum);
  }

  /** Gives a reservation back unspent (a dead run's, taken over). */
  release(pool: PoolRecord, micros: Micros): void {
    if (micros <= 0) return;
    const money = this.#pool(pool.id);
    money.reservedMicros -= micros;
    const team = this.#teamOf(pool);
    // Never below zero, even if the pool changed teams while the reservation was out.
    if (team) team.reservedMicros = Math.max(0, team.reservedMicros - micros);
  }

  /** Settles a run: its reservation back, its spend into the pool's and team's totals. */
  settle(
    pool: PoolRecord,
    released: Micros,
    spent: Micros,
    ended: { status: TaskStatus; error: TaskErrorInfo | null } | null,
  ): void {
    this.release(pool, released);
    const money = this.#pool(pool.id);
    money.spentMicros += spent;
    const team = this.#teamOf(pool);
    if (team) team.monthSpentMicros += spent;
    if (ended && isCostSample(ended.status, ended.error)) {
      money.recentCosts.unshift(spent);
      money.recentCosts.length = Math.min(money.recentCosts.length, RECENT_TASK_COSTS);
    }
  }
}
