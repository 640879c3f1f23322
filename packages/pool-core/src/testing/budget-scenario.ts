import { BudgetAdmission } from "../budget/admission.js";
import type { Micros } from "../domain/money.js";
import { microsToUsd } from "../domain/money.js";
import type { TaskStatus } from "../domain/types.js";
import type { Store } from "../store/port.js";
import { NO_TOKENS, newTestTask, type StoreHarness } from "./harness.js";

/** One random budget scenario: caps, a pool's concurrency, and tasks with costs and cancellations. */
export interface BudgetScenario {
  poolCapMicros: Micros | null;
  /** The pool's team's monthly cap; undefined: the pool has no team. */
  teamCapMicros?: Micros | null;
  /** The pool's `taskBudgetUsd`, in micros. */
  taskBudgetMicros: Micros | null;
  floorMicros: Micros;
  slots: number;
  tasks: Array<{
    costMicros: Micros;
    maxBudgetMicros: Micros | null;
    /** queued: cancelled before it is claimed; waiting: aborted while admission waits; running: stopped half-way. */
    cancel: "none" | "queued" | "waiting" | "running";
  }>;
}

/** What a scenario did, for the invariants to be checked against. */
export interface BudgetScenarioReport {
  /** The highest spent + reserved of the pool, and of its team, seen after any grant. */
  maxPoolCommittedMicros: Micros;
  maxTeamCommittedMicros: Micros;
  poolSpentMicros: Micros;
  poolReservedMicros: Micros;
  teamMonthSpentMicros: Micros;
  teamReservedMicros: Micros;
  /** Sum of the tasks' recorded spend (must equal the pool's). */
  taskSpendMicros: Micros;
  /** Tasks that spent more than their own cap (the task's, else the pool's taskBudget). */
  overruns: string[];
  statuses: Partial<Record<TaskStatus, number>>;
  refused: number;
}

const POOL_ID = "budget-scenario";
const TEAM_ID = "budget-scenario-team";
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Runs a scenario through the real BudgetAdmission and the store's atomic reservations and
 * settlements, with `slots` workers claiming concurrently. A "run" spends the task's cost, or its
 * reservation when the cost is more (the CLI's budget stop, checked exactly here since costs are
 * deterministic). Used by the property tests of pool-core (memory store) and db (PGlite).
 */
export async function runBudgetScenario(
  harness: StoreHarness,
  s: BudgetScenario,
): Promise<BudgetScenarioReport> {
  const store = harness.store;
  const teamId = s.teamCapMicros === undefined ? null : TEAM_ID;
  if (teamId) await harness.createTeam(teamId);
  await store.ensurePool({
    id: POOL_ID,
    name: POOL_ID,
    config: {},
    budgetCapMicros: s.poolCapMicros,
    teamId,
  });
  if (teamId) await store.setTeamBudgetCap(teamId, s.teamCapMicros ?? null);
  const admission = new BudgetAdmission(
    store,
    POOL_ID,
    {
      taskBudgetUsd: s.taskBudgetMicros === null ? undefined : microsToUsd(s.taskBudgetMicros),
      minTaskBudgetUsd: microsToUsd(s.floorMicros),
    },
    s.slots,
  );
  const plan = new Map<string, BudgetScenario["tasks"][number]>();
  for (const t of s.tasks) {
    const inserted = await store.insertTask(newTestTask(POOL_ID, { maxBudgetMicros: t.maxBudgetMicros }));
    plan.set(inserted.id, t);
  }
  const report = { maxPool: 0, maxTeam: 0, refused: 0 };
  const observe = async () => {
    const b = await store.getBudget(POOL_ID);
    report.maxPool = Math.max(report.maxPool, b.spentMicros + b.reservedMicros);
    if (b.team) report.maxTeam = Math.max(report.maxTeam, b.team.monthSpentMicros + b.team.reservedMicros);
  };
  const cancelQueued = [...plan].filter(([, t]) => t.cancel === "queued").map(([id]) => id);
  const worker = async (slot: number) => {
    for (;;) {
      if (slot === 0 && cancelQueued.length > 0) {
        await store.cancelPendingTask(cancelQueued.shift() ?? "", { code: "CANCELLED", message: "by user" });
      }
      const task = await store.claimNextTask({
        poolId: POOL_ID,
        engineId: "engine",
        slotId: `slot-${slot}`,
        slotRole: null,
        leaseMs: 60_000,
      });
      if (!task) return;
      const t = plan.get(task.id);
      if (!t) throw new Error(`claimed a task the scenario did not make: ${task.id}`);
      await runOne(store, admission, task.id, t, report, observe);
    }
  };
  await Promise.all(Array.from({ length: s.slots }, (_, i) => worker(i)));
  for (const id of cancelQueued) await store.cancelPendingTask(id, { code: "CANCELLED", message: "by user" });

  const budget = await store.getBudget(POOL_ID);
  const tasks = await store.listTasks({ poolId: POOL_ID });
  const statuses: BudgetScenarioReport["statuses"] = {};
  for (const t of tasks) statuses[t.status] = (statuses[t.status] ?? 0) + 1;
  return {
    maxPoolCommittedMicros: report.maxPool,
    maxTeamCommittedMicros: report.maxTeam,
    poolSpentMicros: budget.spentMicros,
    poolReservedMicros: budget.reservedMicros,
    teamMonthSpentMicros: budget.team?.monthSpentMicros ?? 0,
    teamReservedMicros: budget.team?.reservedMicros ?? 0,
    taskSpendMicros: tasks.reduce((sum, t) => sum + t.spendMicros, 0),
    overruns: tasks
      .filter((t) => {
        const cap = t.maxBudgetMicros ?? s.taskBudgetMicros;
        return cap !== null && t.spendMicros > cap;
      })
      .map((t) => t.id),
    statuses,
    refused: report.refused,
  };
}

async function runOne(
  store: Store,
  admission: BudgetAdmission,
  taskId: string,
  t: BudgetScenario["tasks"][number],
  report: { refused: number },
  observe: () => Promise<void>,
): Promise<void> {
  const task = await store.getTask(taskId);
  if (!task) throw new Error(`task ${taskId} vanished`);
  const controller = new AbortController();
  if (t.cancel === "waiting") setImmediate(() => controller.abort("cancel"));
  const outcome = await admission.admit(task, controller.signal);
  const finish = (status: "completed" | "failed" | "cancelled", spendMicros: Micros, reason?: string) =>
    store.finishTask(taskId, {
      engineId: "engine",
      status,
      result: null,
      error: status === "completed" ? null : { code: "X", message: status, ...(reason ? { reason } : {}) },
      spendMicros,
      tokens: NO_TOKENS,
      model: null,
      turns: 1,
      claudeSessionId: null,
    });
  if (outcome.kind === "refused" || outcome.kind === "aborted") {
    if (outcome.kind === "refused") report.refused += 1;
    if (outcome.end)
      await finish(outcome.end.status === "failed" ? "failed" : "cancelled", 0, "budget_exceeded");
    return;
  }
  await observe();
  const limit = outcome.kind === "reserved" ? outcome.micros : Number.POSITIVE_INFINITY;
  await tick(); // let the other workers reserve and settle in between
  if (t.cancel === "running") {
    await finish("cancelled", Math.floor(Math.min(t.costMicros, limit) / 2));
  } else if (t.costMicros > limit) {
    await finish("failed", limit, "budget");
  } else {
    await finish("completed", t.costMicros);
  }
  await observe();
}
