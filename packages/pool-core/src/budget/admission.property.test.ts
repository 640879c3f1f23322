import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InMemoryStore } from "../store/memory.js";
import { budgetScenarios, budgetViolations, runBudgetScenario } from "../testing/index.js";

describe("budget admission under random concurrency, caps, costs and cancellations (in-memory store)", () => {
  it("never lets settled spend or spent + reserved pass a cap, and returns every reservation", async () => {
    await fc.assert(
      fc.asyncProperty(budgetScenarios(fc), async (scenario) => {
        const store = new InMemoryStore();
        const report = await runBudgetScenario(
          { store, createTeam: async () => {}, close: () => store.close() },
          scenario,
        );
        await store.close();
        expect(budgetViolations(scenario, report)).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });
});
