import type { BudgetScenario } from "./budget-scenario.js";

type FastCheck = Pick<
  typeof import("fast-check"),
  "integer" | "option" | "record" | "array" | "constantFrom"
>;

/**
 * Random budget scenarios for fast-check (passed in, so the package does not depend on it at run
 * time): caps from none to a few tasks' worth, up to 5 slots, up to 12 tasks with costs that may
 * pass their caps, and every kind of cancellation.
 */
export function budgetScenarios(fc: FastCheck, maxTasks = 12) {
  const micros = (max: number) => fc.integer({ min: 1, max });
  const cap = fc.option(fc.integer({ min: 0, max: 200_000 }), { nil: null });
  return fc.record({
    poolCapMicros: cap,
    teamCapMicros: fc.option(cap, { nil: undefined }),
    taskBudgetMicros: fc.option(micros(60_000), { nil: null }),
    floorMicros: micros(20_000),
    slots: fc.integer({ min: 1, max: 5 }),
    tasks: fc.array(
      fc.record({
        costMicros: micros(50_000),
        maxBudgetMicros: fc.option(micros(60_000), { nil: null }),
        cancel: fc.constantFrom("none", "none", "none", "queued", "waiting", "running"),
      }),
      { minLength: 1, maxLength: maxTasks },
    ),
  }) satisfies import("fast-check").Arbitrary<BudgetScenario>;
}
