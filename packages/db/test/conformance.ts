import {
  type ChainRecord,
  type ClaimRequest,
  newId,
  type SlotRecord,
  type Store,
  type StoreNotification,
} from "@claude-pool/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eventually } from "./helpers/databases.js";
import { NO_TOKENS, newTask } from "./helpers/tasks.js";

export interface StoreHarness {
  store: Store;
  close(): Promise<void>;
}

const POOL = "pool-a";
const OTHER_POOL = "pool-b";

function claimFor(slotId: string, overrides: Partial<ClaimRequest> = {}): ClaimRequest {
  return { poolId: POOL, engineId: "engine-1", slotId, slotRole: null, leaseMs: 30_000, ...overrides };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The behaviour every Store must share, run against the in-memory store, PGlite and Postgres so
 * the Pool cannot tell them apart.
 */
export function describeStoreConformance(name: string, open: () => Promise<StoreHarness>): void {
  describe(`Store conformance: ${name}`, () => {
    let h: StoreHarness;
    let store: Store;

    beforeEach(async () => {
      h = await open();
      store = h.store;
      await store.ensurePool({ id: POOL, name: "A", config: { slots: 2 }, budgetCapMicros: null });
      await store.ensurePool({ id: OTHER_POOL, name: "B", config: {}, budgetCapMicros: null });
    });
    afterEach(async () => {
      await h.close();
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
        const task = newTask(POOL, {
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
          const t = await store.insertTask(newTask(POOL, { chainId: i % 2 === 0 ? chainId : null }));
          ids.push(t.id);
        }
        await store.insertTask(newTask(OTHER_POOL));
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
        expect((await store.listTasks({ poolId: POOL, limit: 2 })).map((t) => t.id)).toEqual([
          ids[3],
          ids[4],
        ]);
        expect(await store.countPendingTasks(POOL)).toBe(4);
      });
    });

    describe("claiming", () => {
      it("hands out the highest priority first, first-in-first-out within a priority", async () => {
        const low1 = await store.insertTask(newTask(POOL, { priority: 0 }));
        const high1 = await store.insertTask(newTask(POOL, { priority: 5 }));
        const low2 = await store.insertTask(newTask(POOL, { priority: 0 }));
        const high2 = await store.insertTask(newTask(POOL, { priority: 5 }));
        const order: string[] = [];
        for (let i = 0; i < 4; i++) {
          const t = await store.claimNextTask(claimFor("slot-0"));
          order.push(t?.id ?? "none");
        }
        expect(order).toEqual([high1.id, high2.id, low1.id, low2.id]);
        expect(await store.claimNextTask(claimFor("slot-0"))).toBeUndefined();
      });

      it("marks a claimed task running on the claiming slot and engine, under a lease", async () => {
        const task = await store.insertTask(newTask(POOL));
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
        const forSlot = await store.insertTask(newTask(POOL, { targetSlotId: "slot-1" }));
        const forRole = await store.insertTask(newTask(POOL, { targetRole: "reviewer" }));
        expect(await store.claimNextTask(claimFor("slot-0"))).toBeUndefined();
        expect(await store.claimNextTask(claimFor("slot-0", { slotRole: "writer" }))).toBeUndefined();
        expect((await store.claimNextTask(claimFor("slot-1")))?.id).toBe(forSlot.id);
        expect((await store.claimNextTask(claimFor("slot-2", { slotRole: "reviewer" })))?.id).toBe(
          forRole.id,
        );
      });

      it("does not hand out tasks of another pool", async () => {
        await store.insertTask(newTask(OTHER_POOL));
        expect(await store.claimNextTask(claimFor("slot-0"))).toBeUndefined();
      });

      it("gives each task to exactly one of many slots claiming at once", async () => {
        const ids = new Set<string>();
        for (let i = 0; i < 12; i++) ids.add((await store.insertTask(newTask(POOL))).id);
        const claims = await Promise.all(
          Array.from({ length: 30 }, (_, i) => store.claimNextTask(claimFor(`slot-${i}`))),
        );
        const got = claims.flatMap((c) => (c ? [c.id] : []));
        expect(got).toHaveLength(12);
        expect(new Set(got)).toEqual(ids);
      });

      it("makes a running task whose lease expired claimable again, releasing the dead run's reservation", async () => {
        await store.setBudgetCap(POOL, 10_000_000);
        const task = await store.insertTask(newTask(POOL));
        await store.claimNextTask(claimFor("slot-0", { engineId: "dead", leaseMs: 1 }));
        expect(await store.reserveBudget(POOL, task.id, 3_000_000, 1)).toBe(3_000_000);
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
        const kept = await store.insertTask(newTask(POOL));
        const finished = await store.insertTask(newTask(POOL));
        await store.claimNextTask(claimFor("slot-0", { leaseMs: 200 }));
        await store.claimNextTask(claimFor("slot-1", { leaseMs: 200 }));
        await store.finishTask(finished.id, {
          engineId: "engine-1",
          status: "completed",
          result: null,
          error: null,
          spendMicros: 0,
          tokens: NO_TOKENS,
          model: null,
          turns: 0,
          claudeSessionId: null,
        });
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
        const task = await store.insertTask(newTask(POOL));
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
        const task = await store.insertTask(newTask(POOL));
        await store.claimNextTask(claimFor("slot-0"));
        await store.reserveBudget(POOL, task.id, 2_000_000, 1);
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
        const task = await store.insertTask(newTask(POOL));
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
        const running = await store.insertTask(newTask(POOL));
        await store.claimNextTask(claimFor("slot-0"));
        const queued = await store.insertTask(newTask(POOL));
        expect(await store.cancelPendingTask(running.id, { code: "CANCELLED", message: "x" })).toBe(false);
        expect(await store.cancelPendingTask(queued.id, { code: "CANCELLED", message: "by user" })).toBe(
          true,
        );
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
        const task = await store.insertTask(newTask(POOL));
        await store.claimNextTask(claimFor("slot-0"));
        expect(await store.reserveBudget(POOL, task.id, 4_000_000, 1)).toBe(4_000_000);
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
        const task = await store.insertTask(newTask(POOL));
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

    describe("budget admission", () => {
      it("grants the desired amount while the cap allows, then what remains, then refuses", async () => {
        await store.setBudgetCap(POOL, 1_000);
        const a = await store.insertTask(newTask(POOL));
        const b = await store.insertTask(newTask(POOL));
        const c = await store.insertTask(newTask(POOL));
        expect(await store.reserveBudget(POOL, a.id, 600, 100)).toBe(600);
        expect(await store.reserveBudget(POOL, b.id, 600, 100)).toBe(400);
        expect(await store.reserveBudget(POOL, c.id, 600, 1)).toBeNull();
        expect(await store.getBudget(POOL)).toEqual({
          capMicros: 1_000,
          spentMicros: 0,
          reservedMicros: 1_000,
        });
        expect((await store.getTask(b.id))?.reservedMicros).toBe(400);
      });

      it("refuses when the remainder is below the minimum, and grants the desired amount without a cap", async () => {
        await store.setBudgetCap(POOL, 1_000);
        const a = await store.insertTask(newTask(POOL));
        expect(await store.reserveBudget(POOL, a.id, 5_000, 2_000)).toBeNull();
        expect((await store.getBudget(POOL)).reservedMicros).toBe(0);
        await store.setBudgetCap(POOL, null);
        expect(await store.reserveBudget(POOL, a.id, 5_000, 2_000)).toBe(5_000);
        expect(await store.getBudget(POOL)).toEqual({
          capMicros: null,
          spentMicros: 0,
          reservedMicros: 5_000,
        });
      });

      it("never reserves past the cap, however many tasks race", async () => {
        await store.setBudgetCap(POOL, 10_000);
        const tasks = await Promise.all(Array.from({ length: 25 }, () => store.insertTask(newTask(POOL))));
        const grants = await Promise.all(tasks.map((t) => store.reserveBudget(POOL, t.id, 1_000, 1_000)));
        expect(grants.filter((g) => g === 1_000)).toHaveLength(10);
        expect(grants.filter((g) => g === null)).toHaveLength(15);
        expect((await store.getBudget(POOL)).reservedMicros).toBe(10_000);
      });

      it("counts settled spend against the cap", async () => {
        await store.setBudgetCap(POOL, 1_000);
        const a = await store.insertTask(newTask(POOL));
        const b = await store.insertTask(newTask(POOL));
        await store.claimNextTask(claimFor("slot-0"));
        await store.reserveBudget(POOL, a.id, 800, 1);
        await store.finishTask(a.id, {
          engineId: "engine-1",
          status: "completed",
          result: null,
          error: null,
          spendMicros: 700,
          tokens: NO_TOKENS,
          model: null,
          turns: 1,
          claudeSessionId: null,
        });
        expect(await store.reserveBudget(POOL, b.id, 800, 1)).toBe(300);
      });
    });

    describe("task events", () => {
      it("numbers each task's events 1, 2, 3… across batches and replays them after a sequence number", async () => {
        const a = await store.insertTask(newTask(POOL));
        const b = await store.insertTask(newTask(POOL));
        const first = await store.appendTaskEvents(a.id, [
          { kind: "system", payload: { type: "system", subtype: "init", session_id: "s" } },
          { kind: "assistant", payload: { type: "assistant", message: { content: [{ text: "hi" }] } } },
        ]);
        await store.appendTaskEvents(b.id, [{ kind: "stderr", payload: "warning" }]);
        const second = await store.appendTaskEvents(a.id, [{ kind: "result", payload: { type: "result" } }]);
        expect(first.map((e) => e.seq)).toEqual([1, 2]);
        expect(second.map((e) => e.seq)).toEqual([3]);
        expect(await store.appendTaskEvents(a.id, [])).toEqual([]);
        const all = await store.listTaskEvents(a.id);
        expect(all.map((e) => [e.seq, e.kind])).toEqual([
          [1, "system"],
          [2, "assistant"],
          [3, "result"],
        ]);
        expect(all[1]?.payload).toEqual({ type: "assistant", message: { content: [{ text: "hi" }] } });
        expect(all[0]?.at).toBeInstanceOf(Date);
        expect((await store.listTaskEvents(a.id, 2)).map((e) => e.seq)).toEqual([3]);
        expect((await store.listTaskEvents(b.id)).map((e) => e.payload)).toEqual(["warning"]);
      });

      it("keeps sequence numbers gapless when many writers append at once", async () => {
        const a = await store.insertTask(newTask(POOL));
        await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            store.appendTaskEvents(a.id, [
              { kind: "assistant", payload: { i, part: 1 } },
              { kind: "assistant", payload: { i, part: 2 } },
            ]),
          ),
        );
        const events = await store.listTaskEvents(a.id);
        expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
        // Each batch stays contiguous.
        for (let i = 0; i < 40; i += 2) {
          const [x, y] = [events[i]?.payload, events[i + 1]?.payload] as Array<{ i: number; part: number }>;
          expect(x?.i).toBe(y?.i);
          expect([x?.part, y?.part]).toEqual([1, 2]);
        }
      });
    });

    describe("slots, context and chains", () => {
      it("keeps the last reported state of each slot", async () => {
        const slot: SlotRecord = {
          id: "slot-0",
          poolId: POOL,
          engineId: "engine-1",
          name: "slot-0",
          role: "reviewer",
          description: "reviews",
          config: { model: "opus" },
          state: "idle",
          currentTaskId: null,
          sessionId: null,
          worktreePath: null,
          tasksCompleted: 0,
          errors: 0,
          restarts: 0,
          spendMicros: 0,
        };
        await store.upsertSlot(slot);
        await store.upsertSlot({ ...slot, id: "slot-1", name: "slot-1", role: null });
        await store.upsertSlot({ ...slot, state: "busy", tasksCompleted: 3, spendMicros: 42 });
        const slots = await store.listSlots(POOL);
        expect(slots.map((s) => s.id).sort()).toEqual(["slot-0", "slot-1"]);
        expect(slots.find((s) => s.id === "slot-0")).toEqual({
          ...slot,
          state: "busy",
          tasksCompleted: 3,
          spendMicros: 42,
        });
        expect(await store.listSlots(OTHER_POOL)).toEqual([]);
      });

      it("sets, reads, lists (by key) and deletes shared context per pool", async () => {
        await store.contextSet(POOL, "language", "rust");
        await store.contextSet(POOL, "branch", "main");
        await store.contextSet(POOL, "language", "typescript");
        await store.contextSet(OTHER_POOL, "language", "go");
        expect(await store.contextGet(POOL, "language")).toBe("typescript");
        expect(await store.contextGet(POOL, "missing")).toBeUndefined();
        expect(await store.contextList(POOL)).toEqual([
          { key: "branch", value: "main" },
          { key: "language", value: "typescript" },
        ]);
        expect(await store.contextDelete(POOL, "branch")).toBe(true);
        expect(await store.contextDelete(POOL, "branch")).toBe(false);
        expect(await store.contextList(POOL)).toEqual([{ key: "language", value: "typescript" }]);
      });

      it("saves a chain and its progress, and lists chains by status", async () => {
        const chain: ChainRecord = {
          id: newId(),
          poolId: POOL,
          status: "running",
          definition: { steps: [{ name: "plan", action: { type: "prompt", prompt: "plan it" } }] },
          state: { step: 0, outputs: {} },
          claudeSessionId: null,
          worktreePath: null,
          branch: null,
          spendMicros: 0,
          createdAt: new Date("2026-01-01T00:00:00Z"),
          finishedAt: null,
        };
        await store.saveChain(chain);
        const done: ChainRecord = { ...chain, id: newId(), status: "completed", finishedAt: new Date() };
        await store.saveChain(done);
        await store.saveChain({ ...chain, state: { step: 1, outputs: { plan: "x" } }, claudeSessionId: "s" });
        expect(await store.getChain(chain.id)).toEqual({
          ...chain,
          state: { step: 1, outputs: { plan: "x" } },
          claudeSessionId: "s",
        });
        expect((await store.listChains(POOL, ["running"])).map((c) => c.id)).toEqual([chain.id]);
        expect(await store.listChains(POOL)).toHaveLength(2);
        expect(await store.getChain(newId())).toBeUndefined();
      });
    });

    describe("notifications", () => {
      it("tells subscribers of a pool when work is queued, changes state and produces output", async () => {
        const notes: StoreNotification[] = [];
        const others: StoreNotification[] = [];
        const unsubscribe = store.subscribe(POOL, (n) => notes.push(n));
        store.subscribe(OTHER_POOL, (n) => others.push(n));
        const task = await store.insertTask(newTask(POOL));
        await store.claimNextTask(claimFor("slot-0"));
        await store.appendTaskEvents(task.id, [{ kind: "system", payload: {} }]);
        await store.finishTask(task.id, {
          engineId: "engine-1",
          status: "completed",
          result: null,
          error: null,
          spendMicros: 0,
          tokens: NO_TOKENS,
          model: null,
          turns: 0,
          claudeSessionId: null,
        });
        const expected: StoreNotification[] = [
          { type: "task_queued", taskId: task.id },
          { type: "task_changed", taskId: task.id, status: "running" },
          { type: "task_events", taskId: task.id, lastSeq: 1 },
          { type: "task_changed", taskId: task.id, status: "completed" },
        ];
        expect(
          await eventually(
            () => notes,
            (n) => n.length >= 4,
          ),
        ).toEqual(expected);
        unsubscribe();
        await store.insertTask(newTask(POOL));
        await sleep(50);
        expect(notes).toHaveLength(4);
        expect(others).toEqual([]);
      });
    });
  });
}
