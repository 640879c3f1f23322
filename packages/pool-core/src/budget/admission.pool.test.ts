import { simDirective } from "@claude-pool/claude-sim";
import { afterEach, describe, expect, it } from "vitest";
import { simPool } from "../../test/helpers.js";
import { BudgetExceeded } from "../domain/errors.js";
import type { Pool } from "../pool/pool.js";
import { InMemoryStore } from "../store/memory.js";

const pools: Pool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.shutdown()));
});

async function capped(options: Parameters<typeof simPool>[0]): Promise<Pool> {
  const { pool } = await simPool(options);
  pools.push(pool);
  return pool;
}

/** Runs every prompt at once; counts what completed, what was refused for budget, and anything else. */
async function runAll(pool: Pool, prompts: string[]) {
  const settled = await Promise.allSettled(prompts.map((p) => pool.run(p)));
  const completed = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const refusals = settled.flatMap((s) =>
    s.status === "rejected" && s.reason instanceof BudgetExceeded ? [s.reason] : [],
  );
  const other = settled.filter((s) => s.status === "rejected" && !(s.reason instanceof BudgetExceeded));
  return { completed, refusals, other };
}

const task = (i: number, costUsd: number) => `task ${i} ${simDirective({ cost: costUsd })}`;

describe("budget admission buys finished work", () => {
  it("with a $0.01 cap, 3 slots and $0.004 tasks, completes two and refuses the rest, spending nothing past the cap", async () => {
    // The case: cap / slots ($0.0033) is smaller than one task, so 0.1 started all three
    // starved; each failed with error_max_budget_usd and the pool spent $0.012 for nothing.
    const pool = await capped({ slots: 3, config: { budgetUsd: 0.01, minTaskBudgetUsd: 0.001 } });
    const { completed, refusals, other } = await runAll(
      pool,
      Array.from({ length: 6 }, (_, i) => task(i, 0.004)),
    );
    expect(other).toEqual([]);
    expect(completed).toHaveLength(2);
    expect(completed.map((r) => r.spendUsd)).toEqual([0.004, 0.004]);
    // Refused before running (not stopped mid-way): nothing was spent on them.
    expect(refusals).toHaveLength(4);
    expect(refusals.every((e) => e.stop.reason === "budget_exceeded")).toBe(true);
    const status = await pool.status();
    expect(status.spendUsd).toBe(0.008);
    expect(status.reservedUsd).toBe(0);
  });

  for (const k of [1, 3, 5]) {
    it(`completes exactly ${k} tasks when the cap fits ${k} at $0.01 each`, async () => {
      const pool = await capped({ slots: 3, config: { budgetUsd: k * 0.01, minTaskBudgetUsd: 0.001 } });
      const { completed, refusals, other } = await runAll(
        pool,
        Array.from({ length: k + 3 }, (_, i) => task(i, 0.01)),
      );
      expect(other).toEqual([]);
      expect(completed).toHaveLength(k);
      expect(refusals).toHaveLength(3);
      const status = await pool.status();
      expect(status.spendUsd).toBeCloseTo(k * 0.01, 9);
      expect(status.spendUsd).toBeLessThanOrEqual(k * 0.01);
      expect(status.reservedUsd).toBe(0);
    });
  }

  it("shares a team's monthly cap between the team's pools: three $0.01 tasks in all under a $0.03 team cap", async () => {
    const store = new InMemoryStore();
    for (const id of ["team-pool-1", "team-pool-2"]) {
      await store.ensurePool({ id, name: id, config: {}, budgetCapMicros: null, teamId: "team-a" });
    }
    await store.setTeamBudgetCap("team-a", 30_000);
    const one = await capped({ slots: 2, poolId: "team-pool-1", store, config: { minTaskBudgetUsd: 0.001 } });
    const two = await capped({ slots: 2, poolId: "team-pool-2", store, config: { minTaskBudgetUsd: 0.001 } });
    const [a, b] = await Promise.all([
      runAll(
        one,
        Array.from({ length: 3 }, (_, i) => task(i, 0.01)),
      ),
      runAll(
        two,
        Array.from({ length: 3 }, (_, i) => task(i + 10, 0.01)),
      ),
    ]);
    expect([...a.other, ...b.other]).toEqual([]);
    expect(a.completed.length + b.completed.length).toBe(3);
    expect(a.refusals.length + b.refusals.length).toBe(3);
    expect([...a.refusals, ...b.refusals].every((e) => /team team-a's monthly budget/.test(e.message))).toBe(
      true,
    );
    const budget = await store.getBudget("team-pool-1");
    expect(budget.team).toMatchObject({ monthSpentMicros: 30_000, reservedMicros: 0 });
  });

  it("keeps the partial output of a task its reservation stopped, with reason budget", async () => {
    const pool = await capped({ slots: 1, config: { budgetUsd: 10 } });
    const error = await pool
      .run(`loop ${simDirective({ toolTurns: 5, cost: 0.06 })}`, { maxBudgetUsd: 0.1 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BudgetExceeded);
    const stopped = error as BudgetExceeded;
    expect(stopped.stop.reason).toBe("budget");
    expect(stopped.stop.partialOutput).toBeTruthy();
    // How far past the reservation the run got is the driver's (one API call on cold, the turn on warm).
    expect(stopped.message).toMatch(/stopped by its budget: it spent \$0\.\d+ of the \$0\.1 reserved for it/);
    expect((await pool.status()).reservedUsd).toBe(0);
  });

  it("accepts a task whose own cap fits what is left, though the pool's learned cost per task does not", async () => {
    const pool = await capped({ slots: 1, config: { budgetUsd: 0.1, minTaskBudgetUsd: 0.001 } });
    for (const i of [0, 1]) await pool.run(task(i, 0.04));
    // $0.02 left; the pool has learned that a task costs ~$0.04.
    await expect(pool.submit(task(2, 0.01))).rejects.toBeInstanceOf(BudgetExceeded);
    const result = await pool.run(task(3, 0.015), { maxBudgetUsd: 0.02 });
    expect(result.spendUsd).toBe(0.015);
    expect((await pool.status()).spendUsd).toBeCloseTo(0.095, 9);
  });
});
