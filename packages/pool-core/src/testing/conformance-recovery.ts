import type { Store } from "../store/port.js";
import { claimRunnableTask } from "../store/recovered-result.js";
import type { ConformanceContext } from "./conformance.js";
import { claimFor, NO_TOKENS, newTestTask, POOL, resultLine, sleep, type TestApi } from "./harness.js";

/** Recovery of a dead run's result and spend from its recorded result line (pool-core's logic, any store). */
export function describeRecoveryConformance(t: TestApi, ctx: ConformanceContext): void {
  const { describe, it, expect, beforeEach } = t;
  let store: Store;
  beforeEach(() => {
    store = ctx.store;
  });

  /** A task claimed by an engine that then died (its lease is 1 ms), with these lines persisted. */
  async function diedAfter(lines: Array<{ kind: string; payload: unknown }>) {
    const task = await store.insertTask(newTestTask(POOL));
    await store.claimNextTask(claimFor("slot-0", { engineId: "dead", leaseMs: 1 }));
    await store.reserveBudget({ poolId: POOL, taskId: task.id, desiredMicros: 1_000_000, minimumMicros: 1 });
    await store.appendTaskEvents(task.id, lines);
    await sleep(20);
    return task;
  }

  describe("recovering a dead run", () => {
    beforeEach(async () => {
      await store.setBudgetCap(POOL, 100_000_000);
    });

    it("lists the result lines of a Claude session across tasks, oldest first", async () => {
      const a = await store.insertTask(newTestTask(POOL));
      const b = await store.insertTask(newTestTask(POOL));
      await store.appendTaskEvents(a.id, [{ kind: "result", payload: resultLine("sess-1", 0.1) }]);
      await store.appendTaskEvents(b.id, [
        { kind: "assistant", payload: { type: "assistant", session_id: "sess-1", message: {} } },
        { kind: "result", payload: resultLine("sess-2", 0.3) },
        { kind: "result", payload: resultLine("sess-1", 0.2) },
      ]);
      const found = await store.listSessionResults("sess-1");
      expect(found.map((e) => [e.taskId, e.seq])).toEqual([
        [a.id, 1],
        [b.id, 3],
      ]);
      expect(await store.listSessionResults("nope")).toEqual([]);
    });

    it("settles a task whose engine died after its result was stored, charging the session's difference, instead of running it twice", async () => {
      // An earlier task in the same Claude session: the CLI's total is cumulative over a session.
      const earlier = await store.insertTask(newTestTask(POOL));
      await store.claimNextTask(claimFor("slot-0"));
      await store.appendTaskEvents(earlier.id, [{ kind: "result", payload: resultLine("sess-1", 0.2) }]);
      await store.finishTask(earlier.id, {
        engineId: "engine-1",
        status: "completed",
        result: null,
        error: null,
        spendMicros: 200_000,
        tokens: NO_TOKENS,
        model: "claude-sim-1",
        turns: 1,
        claudeSessionId: "sess-1",
      });
      const task = await diedAfter([
        { kind: "process", payload: { pid: 1, host: "elsewhere" } },
        { kind: "system", payload: { type: "system", subtype: "init", session_id: "sess-1" } },
        { kind: "result", payload: resultLine("sess-1", 0.5) },
      ]);
      const next = await store.insertTask(newTestTask(POOL));
      const claimed = await claimRunnableTask(store, claimFor("slot-1", { engineId: "alive" }));
      expect(claimed?.id).toBe(next.id);
      expect(await store.getTask(task.id)).toMatchObject({
        status: "completed",
        spendMicros: 300_000,
        reservedMicros: 0,
        result: { output: "done", spendUsd: 0.3, sessionId: "sess-1", model: "claude-sim-1", turns: 1 },
      });
      expect(await store.getBudget(POOL)).toMatchObject({ spentMicros: 500_000, reservedMicros: 0 });
    });

    it("prefers the line's own per-process spend (model_usage_since_last_result)", async () => {
      const task = await diedAfter([
        {
          kind: "result",
          payload: resultLine("sess-9", 2.5, {
            model_usage_since_last_result: { "claude-sim-1": { costUSD: 0.25, outputTokens: 7 } },
          }),
        },
      ]);
      expect(await claimRunnableTask(store, claimFor("slot-1", { engineId: "alive" }))).toBeUndefined();
      expect(await store.getTask(task.id)).toMatchObject({
        status: "completed",
        spendMicros: 250_000,
        tokens: { input: 0, output: 7, cacheRead: 0, cacheWrite: 0 },
      });
    });

    it("hands the task out again when its last run stored no successful result", async () => {
      const failed = await diedAfter([
        { kind: "result", payload: resultLine("sess-1", 0.2) },
        { kind: "process", payload: { pid: 2, host: "elsewhere" } },
        {
          kind: "result",
          payload: { ...resultLine("sess-1", 0.3), is_error: true, subtype: "error_during_execution" },
        },
      ]);
      const claimed = await claimRunnableTask(store, claimFor("slot-1", { engineId: "alive" }));
      expect(claimed).toMatchObject({
        id: failed.id,
        claimedFrom: "running",
        engineId: "alive",
        recoveries: 1,
      });
      expect(await store.getBudget(POOL)).toMatchObject({ spentMicros: 0, reservedMicros: 0 });
    });
  });
}
