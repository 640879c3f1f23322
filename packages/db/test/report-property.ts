import type { TaskStatus } from "@claude-pool/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Database, PgStore, REPORT_BUCKETS, REPORT_DIMENSIONS, spendReport } from "../src/index.js";
import { naiveReport, sortRows } from "./helpers/naive-report.js";
import { newTask } from "./helpers/tasks.js";

const POOLS = ["pool-a", "pool-b", "pool-c"] as const;
const DAY = 86_400_000;
const START = Date.parse("2026-01-26T00:00:00Z"); // a Monday: weeks and months both cut the 40 days

const endedTask = fc.record({
  pool: fc.constantFrom(...POOLS),
  // Any millisecond of 40 days, so settlements land near midnight too.
  at: fc.integer({ min: 0, max: 40 * DAY - 1 }),
  user: fc.constantFrom("alice", "bob", null),
  skill: fc.constantFrom("review", null),
  tags: fc.subarray(["a", "b", "c"]),
  slot: fc.constantFrom("slot-0", "slot-1"),
  model: fc.constantFrom("opus", "sonnet", null),
  status: fc.constantFrom<TaskStatus>("completed", "failed", "timed_out", "cancelled"),
  spend: fc.integer({ min: 0, max: 5_000_000 }),
  input: fc.integer({ min: 0, max: 10_000 }),
  output: fc.integer({ min: 0, max: 2_000 }),
  cancelQueued: fc.boolean(),
});

const reportQuery = fc.record({
  fromDay: fc.integer({ min: 0, max: 39 }),
  days: fc.integer({ min: 1, max: 41 }),
  bucket: fc.constantFrom(...REPORT_BUCKETS),
  groupBy: fc.constantFrom(...REPORT_DIMENSIONS),
  poolIds: fc.option(fc.subarray([...POOLS]), { nil: undefined }),
});

type EndedTask = typeof endedTask extends fc.Arbitrary<infer T> ? T : never;

/** Runs each task through the store as the engine would: submit, then cancel or claim and finish. */
async function settleAll(database: Database, ended: EndedTask[]): Promise<void> {
  let clock = new Date(START);
  const store = await PgStore.open(database, { clock: () => clock });
  try {
    for (const pool of POOLS)
      await store.ensurePool({ id: pool, name: pool, config: {}, budgetCapMicros: null });
    for (const e of ended) {
      clock = new Date(START + e.at);
      const t = await store.insertTask(
        newTask(e.pool, { submittedBy: e.user, skill: e.skill, tags: e.tags }),
      );
      if (e.cancelQueued) {
        await store.cancelPendingTask(t.id, { code: "CANCELLED", message: "x" });
        continue;
      }
      await store.claimNextTask({
        poolId: e.pool,
        engineId: "e",
        slotId: e.slot,
        slotRole: null,
        leaseMs: 60_000,
      });
      await store.finishTask(t.id, {
        engineId: "e",
        status: e.status as "completed",
        result: null,
        error: null,
        spendMicros: e.spend,
        tokens: { input: e.input, output: e.output, cacheRead: 0, cacheWrite: 0 },
        model: e.model,
        turns: 1,
        claudeSessionId: null,
      });
    }
  } finally {
    await store.close();
  }
}

const day = (offset: number) => new Date(START + offset * DAY).toISOString().slice(0, 10);

/**
 * The report read from the per-dimension rollups (written by settlement) equals the naive GROUP BY
 * over the task table, for random tasks, settlement times, ranges, buckets, groupings and pool filters.
 */
export function describeReportProperty(name: string, open: () => Promise<Database>, numRuns: number): void {
  describe(`spend report from the rollups: ${name}`, () => {
    it("equals the naive GROUP BY over the tasks on random data", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(endedTask, { minLength: 1, maxLength: 25 }),
          fc.array(reportQuery, { minLength: 4, maxLength: 4 }),
          async (ended, queries) => {
            const database = await open();
            await settleAll(database, ended);
            for (const q of queries) {
              const query = {
                from: day(q.fromDay),
                to: day(q.fromDay + q.days),
                bucket: q.bucket,
                groupBy: q.groupBy,
                poolIds: q.poolIds,
              };
              const label = JSON.stringify(query);
              const fromRollups = await spendReport(database.db, query);
              expect(sortRows(fromRollups), label).toEqual(sortRows(await naiveReport(database, query)));
            }
          },
        ),
        // Each run settles up to 25 tasks (3 statements each): bounded for CI time.
        { numRuns },
      );
    }, 240_000);

    it("leaves out a group whose only days in a month the range cuts are outside the range", async () => {
      const database = await open();
      const task = (at: string, user: "alice" | "bob"): EndedTask => ({
        pool: "pool-a",
        at: Date.parse(`${at}T12:00:00Z`) - START,
        user,
        skill: null,
        tags: [],
        slot: "slot-0",
        model: "opus",
        status: "completed",
        spend: 1_000,
        input: 1,
        output: 1,
        cancelQueued: false,
      });
      // bob spends on Feb 1 only; alice on Feb 1 and later days.
      await settleAll(database, [
        task("2026-02-01", "bob"),
        task("2026-02-01", "alice"),
        task("2026-02-10", "alice"),
        task("2026-02-20", "alice"),
      ]);
      // Feb 2 – Mar 1: February's month rows less Feb 1's daily rows.
      const query = {
        from: "2026-02-02",
        to: "2026-03-01",
        bucket: "month" as const,
        groupBy: "user" as const,
      };
      const report = await spendReport(database.db, query);
      expect(report.map((r) => [r.period, r.key, r.tasks])).toEqual([["2026-02-01", "alice", 2]]);
      expect(sortRows(report)).toEqual(sortRows(await naiveReport(database, query)));
    });
  });
}
