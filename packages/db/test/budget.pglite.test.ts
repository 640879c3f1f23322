import { budgetScenarios, budgetViolations, runBudgetScenario } from "@claude-pool/core/testing";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../src/index.js";
import { freshPglite, truncateAll } from "./helpers/databases.js";
import { pgHarness } from "./helpers/harness.js";

let database: Database;

beforeAll(async () => {
  database = await freshPglite();
});
afterAll(async () => {
  await database?.close();
});

describe("budget admission on PGlite under random concurrency, caps, costs and cancellations", () => {
  it("never lets settled spend or spent + reserved pass the pool's or the team's cap, and returns every reservation", async () => {
    await fc.assert(
      fc.asyncProperty(budgetScenarios(fc, 8), async (scenario) => {
        await truncateAll(database);
        const harness = await pgHarness(database);
        try {
          const report = await runBudgetScenario(harness, scenario);
          expect(budgetViolations(scenario, report)).toEqual([]);
        } finally {
          await harness.close();
        }
      }),
      // Each run is a few dozen statements on one PGlite: bounded for CI time.
      { numRuns: 12 },
    );
  }, 240_000);
});
