import { newId } from "../domain/ids.js";
import type { ChainRecord, Store, StoreNotification } from "../store/port.js";
import type { ConformanceContext } from "./conformance.js";
import {
  claimFor,
  completedBy,
  eventually,
  newTestTask,
  OTHER_POOL,
  POOL,
  sleep,
  slotRecord,
  type TestApi,
} from "./harness.js";

/** Task events, slots, context, chains and notifications. */
export function describeLogConformance(t: TestApi, ctx: ConformanceContext): void {
  const { describe, it, expect, beforeEach } = t;
  let store: Store;
  beforeEach(() => {
    store = ctx.store;
  });

  describe("task events", () => {
    it("numbers each task's events 1, 2, 3… across batches and replays them after a sequence number", async () => {
      const a = await store.insertTask(newTestTask(POOL));
      const b = await store.insertTask(newTestTask(POOL));
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

    it("reads a stream a page at a time: at most `limit` events after a sequence number", async () => {
      const a = await store.insertTask(newTestTask(POOL));
      await store.appendTaskEvents(
        a.id,
        Array.from({ length: 7 }, (_, i) => ({ kind: "assistant", payload: { i } })),
      );
      const seqs = async (after: number, limit: number) =>
        (await store.listTaskEvents(a.id, after, limit)).map((e) => e.seq);
      expect(await seqs(0, 3)).toEqual([1, 2, 3]);
      expect(await seqs(3, 3)).toEqual([4, 5, 6]);
      expect(await seqs(6, 3)).toEqual([7]);
      expect(await seqs(7, 3)).toEqual([]);
      expect(await seqs(2, 100)).toEqual([3, 4, 5, 6, 7]);
      expect((await store.listTaskEvents(a.id, 4, 1))[0]?.payload).toEqual({ i: 4 });
    });

    it("patches a running task's session and model with the events the patch comes with, never a finished one", async () => {
      const task = await store.insertTask(newTestTask(POOL));
      await store.claimNextTask(claimFor("slot-0"));
      const init = { kind: "system", payload: { type: "system", subtype: "init", session_id: "s-1" } };
      const [saved] = await store.appendTaskEvents(task.id, [init], {
        claudeSessionId: "s-1",
        model: "opus",
      });
      expect(saved?.seq).toBe(1);
      expect(await store.getTask(task.id)).toMatchObject({ claudeSessionId: "s-1", model: "opus" });
      await store.appendTaskEvents(task.id, [init], { claudeSessionId: "s-2" });
      expect(await store.getTask(task.id)).toMatchObject({ claudeSessionId: "s-2", model: "opus" });
      await store.finishTask(task.id, completedBy());
      await store.appendTaskEvents(task.id, [init], { claudeSessionId: "s-3", model: "haiku" });
      expect(await store.getTask(task.id)).toMatchObject({ claudeSessionId: "s-2", model: "opus" });
      expect((await store.listTaskEvents(task.id)).map((e) => e.seq)).toEqual([1, 2, 3]);
    });

    it("keeps sequence numbers gapless when many writers append at once", async () => {
      const a = await store.insertTask(newTestTask(POOL));
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
      const slot = slotRecord({ role: "reviewer", description: "reviews" });
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

    it("saves the claiming slot busy with its task when the claim carries it, and leaves it when nothing is claimed", async () => {
      const slot = slotRecord({ sessionId: "s-1", tasksCompleted: 2, errors: 1, spendMicros: 7 });
      await store.upsertSlot(slot);
      const task = await store.insertTask(newTestTask(POOL));
      const claimed = await store.claimNextTask(claimFor("slot-0", { slot }));
      expect(claimed?.id).toBe(task.id);
      // A store may leave the slot to the pool (no slotSaved); one that saves it saves all of it.
      const busy = claimed?.slotSaved ? { ...slot, state: "busy", currentTaskId: task.id } : slot;
      expect(await store.listSlots(POOL)).toEqual([busy]);
      expect(
        await store.claimNextTask(claimFor("slot-0", { slot: { ...slot, name: "renamed" } })),
      ).toBeUndefined();
      expect(await store.listSlots(POOL)).toEqual([busy]);
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
      const task = await store.insertTask(newTestTask(POOL));
      await store.claimNextTask(claimFor("slot-0"));
      await store.appendTaskEvents(task.id, [{ kind: "system", payload: {} }]);
      await store.finishTask(task.id, completedBy());
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
      await store.insertTask(newTestTask(POOL));
      await sleep(50);
      expect(notes).toHaveLength(4);
      expect(others).toEqual([]);
    });
  });
}
