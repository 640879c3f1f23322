// @claude-pool/core/testing: the suites a Store implementation must pass, and their helpers.
// Nothing here imports a test framework at run time: the suites take `describe`, `it`, … as arguments.

export { budgetScenarios } from "./budget-arbitrary.js";
export { budgetViolations } from "./budget-invariants.js";
export { type BudgetScenario, type BudgetScenarioReport, runBudgetScenario } from "./budget-scenario.js";
export { type ConformanceContext, describeStoreConformance } from "./conformance.js";
export {
  claimFor,
  eventually,
  NO_TOKENS,
  newTestTask,
  OTHER_POOL,
  POOL,
  resultLine,
  type StoreHarness,
  sleep,
  type TestApi,
} from "./harness.js";
