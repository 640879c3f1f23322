import { describe, expect, it } from "vitest";
import { claimFor, completedBy, newTestTask, POOL } from "../testing/harness.js";
import { InMemoryStore } from "./memory.js";

async function finish(store: InMemoryStore, taskId: string): Promise<void> {
  const done = await store.finishTask(taskId, completedBy({ turns: 1 }));
  expect(done).toBe(true);
}

// The in-memory queue drops ended tasks lazily (from the head at once, from the middle in bulk):
// these are the orders a lazy index could get wrong.
describe("InMemoryStore queue order", () => {
  it("keeps handing out tasks in order while hundreds end behind one that is still running", async () => {
    const store = new InMemoryStore();
    await store.ensurePool({ id: POOL, name: POOL, config: {}, budgetCapMicros: null });
    const ids: string[] = [];
    for (let i = 0; i < 400; i++) ids.push((await store.insertTask(newTestTask(POOL))).id);
    const first = await store.claimNextTask(claimFor("slot-0"));
    expect(first?.id).toBe(ids[0]);
    // slot-0 keeps its task; slot-1 runs the other 399 one by one, in FIFO order.
    for (let i = 1; i < 400; i++) {
      const next = await store.claimNextTask(claimFor("slot-1"));
      expect(next?.id).toBe(ids[i]);
      await finish(store, ids[i] as string);
      if (i === 200) {
        const late = await store.insertTask(newTestTask(POOL, { priority: 5 }));
        expect((await store.claimNextTask(claimFor("slot-2")))?.id).toBe(late.id);
        await finish(store, late.id);
      }
    }
    expect(await store.claimNextTask(claimFor("slot-1"))).toBeUndefined();
    expect(await store.countPendingTasks(POOL)).toBe(0);
    await finish(store, ids[0] as string);
    const after = await store.insertTask(newTestTask(POOL));
    expect((await store.claimNextTask(claimFor("slot-1")))?.id).toBe(after.id);
  });

  it("hands out a priority emptied and used again, and a cancelled task never", async () => {
    const store = new InMemoryStore();
    await store.ensurePool({ id: POOL, name: POOL, config: {}, budgetCapMicros: null });
    const high = await store.insertTask(newTestTask(POOL, { priority: 2 }));
    const low = await store.insertTask(newTestTask(POOL, { priority: -1 }));
    const cancelled = await store.insertTask(newTestTask(POOL, { priority: 1 }));
    await store.cancelPendingTask(cancelled.id, { code: "CANCELLED", message: "cancelled" });
    expect((await store.claimNextTask(claimFor("slot-0")))?.id).toBe(high.id);
    await finish(store, high.id);
    const high2 = await store.insertTask(newTestTask(POOL, { priority: 2 }));
    expect((await store.claimNextTask(claimFor("slot-0")))?.id).toBe(high2.id);
    expect((await store.claimNextTask(claimFor("slot-1")))?.id).toBe(low.id);
    expect(await store.claimNextTask(claimFor("slot-2"))).toBeUndefined();
  });

  it("gives callers copies: changing a returned record changes nothing stored", async () => {
    const store = new InMemoryStore();
    await store.ensurePool({ id: POOL, name: POOL, config: {}, budgetCapMicros: null });
    const inserted = await store.insertTask(newTestTask(POOL, { tags: ["a"], config: { model: "opus" } }));
    inserted.tags.push("b");
    inserted.config.model = "haiku";
    const claimed = await store.claimNextTask(claimFor("slot-0"));
    if (!claimed) throw new Error("nothing claimed");
    claimed.tokens.input = 99;
    claimed.createdAt.setTime(0);
    const stored = await store.getTask(inserted.id);
    expect(stored?.tags).toEqual(["a"]);
    expect(stored?.config).toEqual({ model: "opus" });
    expect(stored?.tokens.input).toBe(0);
    expect(stored?.createdAt.getTime()).toBeGreaterThan(0);
  });
});
