import { RECENT_TASK_COSTS, type Store } from "../store/port.js";
import type { ConformanceContext } from "./conformance.js";
import { claimFor, NO_TOKENS, newTestTask, POOL, type TestApi } from "./harness.js";

const TEAM = "team-a";

/** Reservations against the pool cap and the team's monthly cap, and the recent task costs. */
export function describeBudgetConformance(t: TestApi, ctx: ConformanceContext): void {
  const { describe, it, expect, beforeEach } = t;
  let store: Store;
  beforeEach(() => {
    store = ctx.store;
  });

  const reserve = (taskId: string, desiredMicros: number, minimumMicros: number, poolId = POOL) =>
    store.reserveBudget({ poolId, taskId, desiredMicros, minimumMicros });

  async function settle(
    taskId: string,
    spendMicros: number,
    ended: "completed" | "budget" | "failed" = "completed",
  ) {
    await store.finishTask(taskId, {
      engineId: "engine-1",
      status: ended === "completed" ? "completed" : "failed",
      result: null,
      error:
        ended === "completed"
          ? null
          : {
              code: ended === "budget" ? "BUDGET_EXCEEDED" : "TASK_FAILED",
              message: "x",
              reason: ended === "budget" ? "budget" : "api_error",
            },
      spendMicros,
      tokens: NO_TOKENS,
      model: null,
      turns: 1,
      claudeSessionId: null,
    });
  }

  describe("budget admission", () => {
    it("grants the desired amount while the cap allows, then what remains, then says the cap is short", async () => {
      await store.setBudgetCap(POOL, 1_000);
      const a = await store.insertTask(newTestTask(POOL));
      const b = await store.insertTask(newTestTask(POOL));
      const c = await store.insertTask(newTestTask(POOL));
      expect(await reserve(a.id, 600, 100)).toEqual({ kind: "granted", micros: 600 });
      expect(await reserve(b.id, 600, 100)).toEqual({ kind: "granted", micros: 400 });
      expect(await reserve(c.id, 600, 1)).toEqual({
        kind: "short",
        limitedBy: "pool",
        availableMicros: 0,
        attainableMicros: 1_000,
      });
      expect(await store.getBudget(POOL)).toEqual({
        capMicros: 1_000,
        spentMicros: 0,
        reservedMicros: 1_000,
        team: null,
        recentTaskCostsMicros: [],
      });
      expect((await store.getTask(b.id))?.reservedMicros).toBe(400);
    });

    it("grants nothing below the minimum, and the desired amount without a cap", async () => {
      await store.setBudgetCap(POOL, 1_000);
      const a = await store.insertTask(newTestTask(POOL));
      expect(await reserve(a.id, 5_000, 2_000)).toEqual({
        kind: "short",
        limitedBy: "pool",
        availableMicros: 1_000,
        attainableMicros: 1_000,
      });
      expect((await store.getBudget(POOL)).reservedMicros).toBe(0);
      await store.setBudgetCap(POOL, null);
      expect(await reserve(a.id, 5_000, 2_000)).toEqual({ kind: "granted", micros: 5_000 });
      expect(await store.getBudget(POOL)).toMatchObject({
        capMicros: null,
        spentMicros: 0,
        reservedMicros: 5_000,
      });
    });

    it("never reserves past the cap, however many tasks race", async () => {
      await store.setBudgetCap(POOL, 10_000);
      const tasks = await Promise.all(Array.from({ length: 25 }, () => store.insertTask(newTestTask(POOL))));
      const grants = await Promise.all(tasks.map((task) => reserve(task.id, 1_000, 1_000)));
      expect(grants.filter((g) => g.kind === "granted" && g.micros === 1_000)).toHaveLength(10);
      expect(grants.filter((g) => g.kind === "short")).toHaveLength(15);
      expect((await store.getBudget(POOL)).reservedMicros).toBe(10_000);
    });

    it("counts settled spend against the cap", async () => {
      await store.setBudgetCap(POOL, 1_000);
      const a = await store.insertTask(newTestTask(POOL));
      const b = await store.insertTask(newTestTask(POOL));
      await store.claimNextTask(claimFor("slot-0"));
      await reserve(a.id, 800, 1);
      await settle(a.id, 700);
      expect(await reserve(b.id, 800, 1)).toEqual({ kind: "granted", micros: 300 });
    });

    it("refuses a task that is not the pool's", async () => {
      await store.setBudgetCap(POOL, 1_000);
      const elsewhere = await store.insertTask(newTestTask("pool-b"));
      await expect(reserve(elsewhere.id, 10, 1)).rejects.toThrow(/unknown task/);
    });
  });

  describe("team caps", () => {
    beforeEach(async () => {
      await ctx.harness.createTeam(TEAM);
      await store.ensurePool({ id: POOL, name: "A", config: {}, budgetCapMicros: null, teamId: TEAM });
      await store.ensurePool({ id: "pool-c", name: "C", config: {}, budgetCapMicros: null, teamId: TEAM });
    });

    it("checks the team's monthly cap across its pools in the same reservation as the pool's cap", async () => {
      await store.setTeamBudgetCap(TEAM, 1_000);
      await store.setBudgetCap(POOL, 5_000);
      const a = await store.insertTask(newTestTask(POOL));
      const c = await store.insertTask(newTestTask("pool-c"));
      const c2 = await store.insertTask(newTestTask("pool-c"));
      expect(await reserve(a.id, 700, 1)).toEqual({ kind: "granted", micros: 700 });
      expect(await reserve(c.id, 700, 200, "pool-c")).toEqual({ kind: "granted", micros: 300 });
      expect(await reserve(c2.id, 700, 200, "pool-c")).toEqual({
        kind: "short",
        limitedBy: "team",
        availableMicros: 0,
        attainableMicros: 1_000,
      });
      expect((await store.getBudget("pool-c")).team).toEqual({
        id: TEAM,
        monthlyCapMicros: 1_000,
        monthSpentMicros: 0,
        reservedMicros: 1_000,
      });
      // The pool's own cap is the tighter one once it is lowered below what the team has left.
      await store.claimNextTask(claimFor("slot-0"));
      await settle(a.id, 600);
      await store.setBudgetCap(POOL, 650);
      const a2 = await store.insertTask(newTestTask(POOL));
      expect(await reserve(a2.id, 300, 100)).toEqual({
        kind: "short",
        limitedBy: "pool",
        availableMicros: 50,
        attainableMicros: 50,
      });
      expect((await store.getBudget(POOL)).team).toMatchObject({
        monthSpentMicros: 600,
        reservedMicros: 300,
      });
    });

    it("never reserves past the team's cap when its pools race", async () => {
      await store.setTeamBudgetCap(TEAM, 10_000);
      const tasks = await Promise.all(
        Array.from({ length: 24 }, (_, i) => store.insertTask(newTestTask(i % 2 === 0 ? POOL : "pool-c"))),
      );
      const grants = await Promise.all(tasks.map((task) => reserve(task.id, 1_000, 1_000, task.poolId)));
      expect(grants.filter((g) => g.kind === "granted")).toHaveLength(10);
      const a = await store.getBudget(POOL);
      const c = await store.getBudget("pool-c");
      expect(a.reservedMicros + c.reservedMicros).toBe(10_000);
      expect(a.team?.reservedMicros).toBe(10_000);
    });

    it("gives a released reservation back to the team and counts spend in its month", async () => {
      await store.setTeamBudgetCap(TEAM, 1_000);
      const a = await store.insertTask(newTestTask(POOL));
      await store.claimNextTask(claimFor("slot-0"));
      await reserve(a.id, 800, 1);
      await settle(a.id, 250);
      expect((await store.getBudget("pool-c")).team).toEqual({
        id: TEAM,
        monthlyCapMicros: 1_000,
        monthSpentMicros: 250,
        reservedMicros: 0,
      });
      await store.setTeamBudgetCap(TEAM, null);
      expect((await store.getBudget(POOL)).team?.monthlyCapMicros).toBeNull();
    });
  });

  describe("recent task costs", () => {
    it("keeps the spend of the last tasks that completed or were stopped by their budget, newest first", async () => {
      const costs: number[] = [];
      for (let i = 0; i < RECENT_TASK_COSTS + 3; i++) {
        const task = await store.insertTask(newTestTask(POOL));
        await store.claimNextTask(claimFor("slot-0"));
        const ended = i === 4 ? "budget" : i === 5 ? "failed" : "completed";
        await settle(task.id, 100 + i, ended);
        if (ended !== "failed") costs.unshift(100 + i);
      }
      // A parked run's spend is no sample: the task has not ended.
      const parked = await store.insertTask(newTestTask(POOL));
      await store.claimNextTask(claimFor("slot-0"));
      await store.parkTask(parked.id, {
        engineId: "engine-1",
        runAfter: new Date(Date.now() + 60_000),
        claudeSessionId: null,
        spendMicros: 9_999,
        tokens: NO_TOKENS,
        error: { code: "QUOTA_EXHAUSTED", message: "limit" },
      });
      expect((await store.getBudget(POOL)).recentTaskCostsMicros).toEqual(costs.slice(0, RECENT_TASK_COSTS));
    });
  });
}
