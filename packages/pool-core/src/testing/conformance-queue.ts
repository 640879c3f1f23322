import { newId } from "../domain/ids.js";
import type { Store } from "../store/port.js";
import type { ConformanceContext } from "./conformance.js";
import {
  claimFor,
  completedBy,
  NO_TOKENS,
  newTestTask,
  OTHER_POOL,
  POOL,
  sleep,
  type TestApi,
} from "./harness.js";

/** Pools, tasks, claims, leases, ownership, parking, cancelling and settling. */
export function describeQueueConformance(t: TestApi, ctx: ConformanceContext): void {
  const { describe, it, expect, beforeEach } = t;
  let store: Store;
  beforeEach(() => {
    store = ctx.store;
  });

  describe("pools", () => {
    it("creates a pool once and updates its name, config and cap", async () => {
      await store.ensurePool({ id: POOL, name: "A2", config: { slots: 4 }, budgetCapMicros: 5_000_000 });
      expect(await store.getPool(POOL)).toMatchObject({
        id: POOL,
        name: "A2",
        config: { slots: 4 },
        budgetCapMicros: 5_000_000,
      });
      expect(await store.getPool("nope")).toBeUndefined();
    });
  });

  describe("tasks", () => {
    it("stores a submitted task as queued with everything the submitter gave", async () => {
      const task = newTestTask(POOL, {
        prompt: "review src/",
        priority: 3,
        targetRole: "reviewer",
        config: { model: "sonnet", allowedTools: ["Read"] },
        sessionMode: "fresh",
        explicitSession: { resume: null },
        tags: ["ci", "nightly"],
        maxBudgetMicros: 2_000_000,
        timeoutMs: 60_000,
        submittedBy: "user-1",
        skill: "code_review",
      });
      const inserted = await store.insertTask(task);
      expect(inserted).toMatchObject({ ...task, status: "queued", attempt: 0, recoveries: 0 });
      expect(inserted).toMatchObject({
        spendMicros: 0,
        reservedMicros: 0,
        tokens: NO_TOKENS,
        slotId: null,
      });
      expect(await store.getTask(task.id)).toEqual(inserted);
      expect(await store.getTask(newId())).toBeUndefined();
    });

    it("lists a pool's tasks in submission order, filtered by status and chain, newest N with a limit", async () => {
      const chainId = newId();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const t = await store.insertTask(newTestTask(POOL, { chainId: i % 2 === 0 ? chainId : null }));
        ids.push(t.id);
      }
      await store.insertTask(newTestTask(OTHER_POOL));
      await store.cancelPendingTask(ids[1] ?? "", { code: "CANCELLED", message: "no" });
      expect((await store.listTasks({ poolId: POOL })).map((t) => t.id)).toEqual(ids);
      expect((await store.listTasks({ poolId: POOL, status: ["cancelled"] })).map((t) => t.id)).toEqual([
        ids[1],
      ]);
      expect((await store.listTasks({ poolId: POOL, chainId })).map((t) => t.id)).toEqual([
        ids[0],
        ids[2],
        ids[4],
      ]);
      expect((await store.listTasks({ poolId: POOL, limit: 2 })).map((t) => t.id)).toEqual([ids[3], ids[4]]);
      expect(await store.countPendingTasks(POOL)).toBe(4);
    });
  });

  describe("claiming", () => {
    it("hands out the highest priority first, first-in-first-out within a priority", async () => {
      const low1 = await store.insertTask(newTestTask(POOL, { priority: 0 }));
      const high1 = await store.insertTask(newTestTask(POOL, { priority: 5 }));
      const low2 = await store.insertTask(newTestTask(POOL, { priority: 0 }));
      const high2 = await store.insertTask(newTestTask(POOL, { priority: 5 }));
      const order: string[] = [];
      for (let i = 0; i < 4; i++) {
        const t = await store.claimNextTask(claimFor("slot-0"));
        order.push(t?.id ?? "none");
      }
      expect(order).toEqual([high1.id, high2.id, low1.id, low2.id]);
      expect(await store.claimNextTask(claimFor("slot-0"))).toBeUndefined();
    });

    it("marks a claimed task running on the claiming slot and engine, under a lease", async () => {
      const task = await store.insertTask(newTestTask(POOL));
      const before = Date.now();
      const claimed = await store.claimNextTask(
        claimFor("slot-1", { engineId: "engine-9", leaseMs: 60_000 }),
      );
      expect(claimed).toMatchObject({
        id: task.id,
        status: "running",
        slotId: "slot-1",
        engineId: "engine-9",
        attempt: 1,
        recoveries: 0,
        claimedFrom: "queued",
      });
      const lease = claimed?.leaseExpiresAt?.getTime() ?? 0;
      expect(lease).toBeGreaterThan(before + 50_000);
      expect(claimed?.startedAt).toBeInstanceOf(Date);
      expect((await store.getTask(task.id))?.status).toBe("running");
      expect(await store.countPendingTasks(POOL)).toBe(0);
    });

    it("routes a task aimed at a slot or a role only to that slot or a slot with that role", async () => {
      const forSlot = await store.insertTask(newTestTask(POOL, { targetSlotId: "slot-1" }));
      const forRole = await store.insertTask(newTestTask(POOL, { targetRole: "reviewer" }));
      expect(await store.claimNextTask(claimFor("slot-0"))).toBeUndefined();
      expect(await store.claimNextTask(claimFor("slot-0", { slotRole: "writer" }))).toBeUndefined();
      expect((await store.claimNextTask(claimFor("slot-1")))?.id).toBe(forSlot.id);
      expect((await store.claimNextTask(claimFor("slot-2", { slotRole: "reviewer" })))?.id).toBe(forRole.id);
    });

    it("does not hand out tasks of another pool", async () => {
      await store.insertTask(newTestTask(OTHER_POOL));
      expect(await store.claimNextTask(claimFor("slot-0"))).toBeUndefined();
    });

    it("gives each task to exactly one of many slots claiming at once", async () => {
      const ids = new Set<string>();
      for (let i = 0; i < 12; i++) ids.add((await store.insertTask(newTestTask(POOL))).id);
      const claims = await Promise.all(
        Array.from({ length: 30 }, (_, i) => store.claimNextTask(claimFor(`slot-${i}`))),
      );
      const got = claims.flatMap((c) => (c ? [c.id] : []));
      expect(got).toHaveLength(12);
      expect(new Set(got)).toEqual(ids);
    });

    it("makes a running task whose lease expired claimable again, releasing the dead run's reservation", async () => {
      await store.setBudgetCap(POOL, 10_000_000);
      const task = await store.insertTask(newTestTask(POOL));
      await store.claimNextTask(claimFor("slot-0", { engineId: "dead", leaseMs: 1 }));
      expect(
        await store.reserveBudget({
          poolId: POOL,
          taskId: task.id,
          desiredMicros: 3_000_000,
          minimumMicros: 1,
        }),
      ).toEqual({ kind: "granted", micros: 3_000_000 });
      await sleep(30);
      const again = await store.claimNextTask(claimFor("slot-1", { engineId: "alive" }));
      expect(again).toMatchObject({
        id: task.id,
        engineId: "alive",
        slotId: "slot-1",
        attempt: 2,
        recoveries: 1,
        claimedFrom: "running",
        reservedMicros: 0,
      });
      expect(await store.getBudget(POOL)).toMatchObject({ spentMicros: 0, reservedMicros: 0 });
    });

    it("keeps a task whose lease is renewed away from other engines, and reports leases it lost", async () => {
      const kept = await store.insertTask(newTestTask(POOL));
      const finished = await store.insertTask(newTestTask(POOL));
      await store.claimNextTask(claimFor("slot-0", { leaseMs: 200 }));
      await store.claimNextTask(claimFor("slot-1", { leaseMs: 200 }));
      await store.finishTask(finished.id, completedBy());
      const lost = await store.renewLeases("engine-1", [kept.id, finished.id], 60_000);
      expect(lost).toEqual([finished.id]);
      expect(await store.renewLeases("engine-2", [kept.id], 60_000)).toEqual([kept.id]);
      await sleep(250);
      expect(await store.claimNextTask(claimFor("slot-2", { engineId: "engine-2" }))).toBeUndefined();
      expect(await store.renewLeases("engine-1", [], 1000)).toEqual([]);
    });
  });

  describe("ownership", () => {
    it("lets only the engine holding a running task finish or park it", async () => {
      await store.setBudgetCap(POOL, 10_000_000);
      const task = await store.insertTask(newTestTask(POOL));
      await store.claimNextTask(claimFor("slot-0", { engineId: "dead", leaseMs: 1 }));
      await sleep(20);
      // The first engine's lease lapsed and another engine took the task over…
      expect(await store.claimNextTask(claimFor("slot-1", { engineId: "alive" }))).toMatchObject({
        id: task.id,
      });
      const end = {
        status: "failed" as const,
        result: null,
        error: { code: "TASK_FAILED", message: "killed", reason: "no_result" },
        spendMicros: 5,
        tokens: NO_TOKENS,
        model: null,
        turns: 0,
        claudeSessionId: null,
      };
      // …so the first one's late report changes nothing: not the status, not the money.
      expect(await store.finishTask(task.id, { ...end, engineId: "dead" })).toBe(false);
      const park = {
        runAfter: new Date(Date.now() + 60_000),
        claudeSessionId: null,
        spendMicros: 5,
        tokens: NO_TOKENS,
        error: { code: "QUOTA_EXHAUSTED", message: "limit" },
      };
      expect(await store.parkTask(task.id, { ...park, engineId: "dead" })).toBe(false);
      expect(await store.getTask(task.id)).toMatchObject({ status: "running", engineId: "alive" });
      expect((await store.getBudget(POOL)).spentMicros).toBe(0);
      expect(await store.finishTask(task.id, { ...end, engineId: "alive" })).toBe(true);
      expect((await store.getBudget(POOL)).spentMicros).toBe(5);
    });
  });

  describe("usage limits and cancelling", () => {
    it("parks a running task until its reset time, settling its spend so far and releasing its reservation", async () => {
      await store.setBudgetCap(POOL, 10_000_000);
      const task = await store.insertTask(newTestTask(POOL));
      await store.claimNextTask(claimFor("slot-0"));
      await store.reserveBudget({
        poolId: POOL,
        taskId: task.id,
        desiredMicros: 2_000_000,
        minimumMicros: 1,
      });
      const parked = await store.parkTask(task.id, {
        engineId: "engine-1",
        runAfter: new Date(Date.now() + 3_600_000),
        claudeSessionId: "sess-1",
        spendMicros: 120_000,
        tokens: { input: 10, output: 5, cacheRead: 0, cacheWrite: 0 },
        error: { code: "QUOTA_EXHAUSTED", message: "usage limit reached" },
      });
      expect(parked).toBe(true);
      expect(await store.getTask(task.id)).toMatchObject({
        status: "waiting_for_quota",
        spendMicros: 120_000,
        reservedMicros: 0,
        claudeSessionId: "sess-1",
        engineId: null,
        leaseExpiresAt: null,
      });
      expect(await store.getBudget(POOL)).toMatchObject({ spentMicros: 120_000, reservedMicros: 0 });
      expect(await store.countPendingTasks(POOL)).toBe(1);
      expect(await store.claimNextTask(claimFor("slot-0"))).toBeUndefined();
      expect(
        await store.parkTask(task.id, {
          engineId: "engine-1",
          runAfter: new Date(),
          claudeSessionId: null,
          spendMicros: 1,
          tokens: NO_TOKENS,
          error: { code: "QUOTA_EXHAUSTED", message: "again" },
        }),
      ).toBe(false);
    });

    it("hands a parked task out again once its reset time passed, in the same session", async () => {
      const task = await store.insertTask(newTestTask(POOL));
      await store.claimNextTask(claimFor("slot-0"));
      await store.parkTask(task.id, {
        engineId: "engine-1",
        runAfter: new Date(Date.now() - 1000),
        claudeSessionId: "sess-1",
        spendMicros: 0,
        tokens: NO_TOKENS,
        error: { code: "QUOTA_EXHAUSTED", message: "usage limit reached" },
      });
      const again = await store.claimNextTask(claimFor("slot-1"));
      expect(again).toMatchObject({
        id: task.id,
        claimedFrom: "waiting_for_quota",
        attempt: 2,
        recoveries: 0,
        claudeSessionId: "sess-1",
        runAfter: null,
      });
    });

    it("cancels only tasks that have not started", async () => {
      const running = await store.insertTask(newTestTask(POOL));
      await store.claimNextTask(claimFor("slot-0"));
      const queued = await store.insertTask(newTestTask(POOL));
      expect(await store.cancelPendingTask(running.id, { code: "CANCELLED", message: "x" })).toBe(false);
      expect(await store.cancelPendingTask(queued.id, { code: "CANCELLED", message: "by user" })).toBe(true);
      const cancelled = await store.getTask(queued.id);
      expect(cancelled).toMatchObject({
        status: "cancelled",
        error: { code: "CANCELLED", message: "by user" },
      });
      expect(cancelled?.finishedAt).toBeInstanceOf(Date);
      expect(await store.cancelPendingTask(queued.id, { code: "CANCELLED", message: "twice" })).toBe(false);
      expect(await store.claimNextTask(claimFor("slot-1"))).toBeUndefined();
    });
  });

  describe("finishing", () => {
    it("settles spend into the pool, releases the reservation, and does it once", async () => {
      await store.setBudgetCap(POOL, 10_000_000);
      const task = await store.insertTask(newTestTask(POOL));
      await store.claimNextTask(claimFor("slot-0"));
      expect(
        await store.reserveBudget({
          poolId: POOL,
          taskId: task.id,
          desiredMicros: 4_000_000,
          minimumMicros: 1,
        }),
      ).toEqual({ kind: "granted", micros: 4_000_000 });
      const finish = {
        engineId: "engine-1",
        status: "completed" as const,
        result: {
          taskId: task.id,
          output: "done",
          spendUsd: 1.5,
          tokens: { input: 100, output: 20, cacheRead: 5, cacheWrite: 1 },
          sessionId: "sess-9",
          slotId: "slot-0",
          model: "claude-sonnet",
          turns: 2,
          durationMs: 1234,
        },
        error: null,
        spendMicros: 1_500_000,
        tokens: { input: 100, output: 20, cacheRead: 5, cacheWrite: 1 },
        model: "claude-sonnet",
        turns: 2,
        claudeSessionId: "sess-9",
      };
      expect(await store.finishTask(task.id, finish)).toBe(true);
      expect(await store.finishTask(task.id, { ...finish, status: "failed" })).toBe(false);
      expect(await store.getBudget(POOL)).toEqual({
        capMicros: 10_000_000,
        spentMicros: 1_500_000,
        reservedMicros: 0,
        team: null,
        recentTaskCostsMicros: [1_500_000],
      });
      const saved = await store.getTask(task.id);
      expect(saved).toMatchObject({
        status: "completed",
        spendMicros: 1_500_000,
        reservedMicros: 0,
        tokens: finish.tokens,
        model: "claude-sonnet",
        turns: 2,
        claudeSessionId: "sess-9",
        result: finish.result,
        error: null,
        leaseExpiresAt: null,
      });
      expect(saved?.finishedAt).toBeInstanceOf(Date);
      expect(await store.claimNextTask(claimFor("slot-0"))).toBeUndefined();
    });

    it("adds a resumed run's spend and tokens to what the task spent before it was parked", async () => {
      const task = await store.insertTask(newTestTask(POOL));
      await store.claimNextTask(claimFor("slot-0"));
      await store.parkTask(task.id, {
        engineId: "engine-1",
        runAfter: new Date(Date.now() - 1),
        claudeSessionId: "s",
        spendMicros: 100,
        tokens: { input: 1, output: 1, cacheRead: 1, cacheWrite: 1 },
        error: { code: "QUOTA_EXHAUSTED", message: "limit" },
      });
      await store.claimNextTask(claimFor("slot-0"));
      await store.finishTask(task.id, {
        engineId: "engine-1",
        status: "failed",
        result: null,
        error: { code: "TASK_FAILED", message: "boom", reason: "crashed" },
        spendMicros: 250,
        tokens: { input: 2, output: 3, cacheRead: 0, cacheWrite: 0 },
        model: "m",
        turns: 1,
        claudeSessionId: null,
      });
      expect(await store.getTask(task.id)).toMatchObject({
        status: "failed",
        spendMicros: 350,
        tokens: { input: 3, output: 4, cacheRead: 1, cacheWrite: 1 },
        claudeSessionId: "s",
        error: { code: "TASK_FAILED", message: "boom", reason: "crashed" },
      });
      expect((await store.getBudget(POOL)).spentMicros).toBe(350);
    });
  });
}
