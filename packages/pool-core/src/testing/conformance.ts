import type { Store } from "../store/port.js";
import { describeBudgetConformance } from "./conformance-budget.js";
import { describeDiffConformance } from "./conformance-diffs.js";
import { describeLogConformance } from "./conformance-log.js";
import { describeQueueConformance } from "./conformance-queue.js";
import { describeQuotaConformance } from "./conformance-quota.js";
import { describeRecoveryConformance } from "./conformance-recovery.js";
import { OTHER_POOL, POOL, type StoreHarness, type TestApi } from "./harness.js";

/** What the parts of the suite share: the store (and harness) of the running test. */
export interface ConformanceContext {
  readonly store: Store;
  readonly harness: StoreHarness;
}

/**
 * The behaviour every Store must share, so that the Pool cannot tell stores apart. pool-core runs it
 * against InMemoryStore, packages/db against PGlite and Postgres; a store author runs it against
 * theirs:
 *
 * @example
 * import { describe, it, expect, beforeEach, afterEach } from "vitest";
 * import { describeStoreConformance } from "@claude-pool/core/testing";
 * describeStoreConformance("my store", async () => ({ store, createTeam: async () => {}, close }),
 *   { describe, it, expect, beforeEach, afterEach });
 */
export function describeStoreConformance(name: string, open: () => Promise<StoreHarness>, t: TestApi): void {
  t.describe(`Store conformance: ${name}`, () => {
    let harness: StoreHarness | undefined;
    const ctx: ConformanceContext = {
      get store() {
        if (!harness) throw new Error("the store is opened in beforeEach");
        return harness.store;
      },
      get harness() {
        if (!harness) throw new Error("the store is opened in beforeEach");
        return harness;
      },
    };

    t.beforeEach(async () => {
      harness = await open();
      await harness.store.ensurePool({ id: POOL, name: "A", config: { slots: 2 }, budgetCapMicros: null });
      await harness.store.ensurePool({ id: OTHER_POOL, name: "B", config: {}, budgetCapMicros: null });
    });
    t.afterEach(async () => {
      await harness?.close();
      harness = undefined;
    });

    describeQueueConformance(t, ctx);
    describeBudgetConformance(t, ctx);
    describeLogConformance(t, ctx);
    describeRecoveryConformance(t, ctx);
    describeDiffConformance(t, ctx);
    describeQuotaConformance(t, ctx);
  });
}
