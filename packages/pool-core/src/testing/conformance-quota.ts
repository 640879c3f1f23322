import type { Store } from "../store/port.js";
import type { ConformanceContext } from "./conformance.js";
import { claimFor, eventually, NO_TOKENS, newTestTask, OTHER_POOL, POOL, type TestApi } from "./harness.js";

/** Usage limits are per account: a credential park holds the pool's work for that credential. */
export function describeQuotaConformance(t: TestApi, ctx: ConformanceContext): void {
  const { describe, it, expect, beforeEach } = t;
  let store: Store;
  beforeEach(() => {
    store = ctx.store;
  });
  // Whole seconds, as the CLI reports reset times; far enough that no test reaches it.
  const inAnHour = () => new Date(Math.floor(Date.now() / 1000) * 1000 + 3_600_000);

  describe("credential parks (usage limits)", () => {
    it("holds the pool's queued tasks and new submissions until the reset; that credential claims nothing, another still works", async () => {
      const q1 = await store.insertTask(newTestTask(POOL));
      const q2 = await store.insertTask(newTestTask(POOL, { priority: 2 }));
      const elsewhere = await store.insertTask(newTestTask(OTHER_POOL));
      const until = inAnHour();
      const parked = await store.parkCredential({ poolId: POOL, credential: "cred-a", until });
      expect(parked.until.toISOString()).toBe(until.toISOString());
      expect([...parked.heldTaskIds].sort()).toEqual([q1.id, q2.id].sort());
      for (const id of [q1.id, q2.id]) {
        expect(await store.getTask(id)).toMatchObject({
          status: "waiting_for_quota",
          runAfter: until,
          quotaCredential: "cred-a",
        });
      }
      expect((await store.getTask(elsewhere.id))?.status).toBe("queued");
      // Submitted during the park: held at once, never tried.
      const later = await store.insertTask(newTestTask(POOL));
      expect(later).toMatchObject({
        status: "waiting_for_quota",
        runAfter: until,
        quotaCredential: "cred-a",
      });
      expect(await store.countPendingTasks(POOL)).toBe(3);
      expect(await store.listCredentialParks(POOL)).toEqual([{ credential: "cred-a", until }]);
      expect(await store.listCredentialParks(OTHER_POOL)).toEqual([]);

      expect(await store.claimNextTask(claimFor("slot-0", { credential: "cred-a" }))).toBeUndefined();
      // Parks are per pool: the same account's slot of another pool is not stopped by this one.
      const other = await store.claimNextTask(
        claimFor("slot-0", { poolId: OTHER_POOL, credential: "cred-a" }),
      );
      expect(other?.id).toBe(elsewhere.id);
      // A slot on another account takes the held work, best first, and the hold is gone from it.
      const taken = await store.claimNextTask(claimFor("slot-1", { credential: "cred-b" }));
      expect(taken).toMatchObject({
        id: q2.id,
        status: "running",
        claimedFrom: "waiting_for_quota",
        runAfter: null,
        quotaCredential: null,
        attempt: 1,
      });
    });

    it("keeps the later reset when the account reports an earlier one, and holds a task parked for less long to it", async () => {
      const task = await store.insertTask(newTestTask(POOL));
      const claimed = await store.claimNextTask(claimFor("slot-0", { credential: "cred-a" }));
      expect(claimed?.id).toBe(task.id);
      const soon = new Date(Date.now() + 60_000);
      expect(
        await store.parkTask(task.id, {
          engineId: "engine-1",
          runAfter: soon,
          claudeSessionId: "sess-1",
          spendMicros: 0,
          tokens: NO_TOKENS,
          error: { code: "QUOTA_EXHAUSTED", message: "usage limit reached", reason: "usage_limit" },
        }),
      ).toBe(true);
      const until = inAnHour();
      const first = await store.parkCredential({ poolId: POOL, credential: "cred-a", until });
      expect(first.heldTaskIds).toEqual([task.id]);
      expect((await store.getTask(task.id))?.runAfter?.toISOString()).toBe(until.toISOString());
      const again = await store.parkCredential({ poolId: POOL, credential: "cred-a", until: soon });
      expect(again).toEqual({ until, heldTaskIds: [] });
      expect(await store.listCredentialParks(POOL)).toEqual([{ credential: "cred-a", until }]);
    });

    it("ends by itself at the reset: the held tasks are claimable by that credential again", async () => {
      const task = await store.insertTask(newTestTask(POOL));
      const until = new Date(Date.now() + 300);
      await store.parkCredential({ poolId: POOL, credential: "cred-a", until });
      expect(await store.claimNextTask(claimFor("slot-0", { credential: "cred-a" }))).toBeUndefined();
      const claimed = await eventually(
        () => store.claimNextTask(claimFor("slot-0", { credential: "cred-a" })),
        (c) => c !== undefined,
      );
      expect(claimed).toMatchObject({ id: task.id, claimedFrom: "waiting_for_quota", attempt: 1 });
      expect(await store.listCredentialParks(POOL)).toEqual([]);
    });
  });
}
