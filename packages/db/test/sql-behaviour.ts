import { newId, type TaskStatus } from "@claude-pool/core";
import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type Database,
  PgStore,
  pruneTaskEvents,
  queryRows,
  REPORT_BUCKETS,
  REPORT_DIMENSIONS,
  type ReportQuery,
  recoverOnStart,
  schema,
  spendReport,
  spendRows,
  spendRowsToCsv,
} from "../src/index.js";
import { naiveReport, sortRows } from "./helpers/naive-report.js";
import { NO_TOKENS, newTask } from "./helpers/tasks.js";

const POOL = "pool-a";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Seeded PRNG (mulberry32): random data that reproduces from the seed printed on failure. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Behaviour only a SQL store has (recovery, rollups, reports, retention), on PGlite and Postgres. */
export function describeSqlBehaviour(name: string, open: () => Promise<Database>): void {
  describe(`SQL store behaviour: ${name}`, () => {
    let database: Database;
    let store: PgStore;

    beforeEach(async () => {
      database = await open();
      store = await PgStore.open(database);
      await store.ensurePool({ id: POOL, name: "A", config: {}, budgetCapMicros: 100_000_000 });
    });
    afterEach(async () => {
      await store.close();
    });

    it("on restart, makes the engine's interrupted tasks claimable at once and frees its slots' worktrees", async () => {
      const mine = await store.insertTask(newTask(POOL));
      await store.claimNextTask({
        poolId: POOL,
        engineId: "e1",
        slotId: "s0",
        slotRole: null,
        leaseMs: 60_000,
      });
      const theirs = await store.insertTask(newTask(POOL));
      await store.claimNextTask({
        poolId: POOL,
        engineId: "e2",
        slotId: "s1",
        slotRole: null,
        leaseMs: 60_000,
      });
      await store.upsertSlot({
        id: "s0",
        poolId: POOL,
        engineId: "e1",
        name: "s0",
        role: null,
        description: null,
        config: {},
        state: "busy",
        currentTaskId: mine.id,
        sessionId: null,
        worktreePath: "/tmp/wt/s0",
        tasksCompleted: 0,
        errors: 0,
        restarts: 0,
        spendMicros: 0,
      });
      const report = await recoverOnStart(database.db, { engineId: "e1" });
      expect(report).toEqual({
        interruptedTasks: [mine.id],
        interruptedChains: [],
        orphanedWorktrees: ["/tmp/wt/s0"],
      });
      expect((await store.listSlots(POOL))[0]).toMatchObject({ state: "stopped", currentTaskId: null });
      const again = await store.claimNextTask({
        poolId: POOL,
        engineId: "e1",
        slotId: "s0",
        slotRole: null,
        leaseMs: 60_000,
      });
      expect(again).toMatchObject({ id: mine.id, claimedFrom: "running", recoveries: 1, attempt: 2 });
      expect((await store.getTask(theirs.id))?.engineId).toBe("e2");
      expect(
        await store.claimNextTask({ poolId: POOL, engineId: "e1", slotId: "s2", slotRole: null, leaseMs: 1 }),
      ).toBeUndefined();
    });

    it("lets another engine continue a chain, at the step it was on, once its engine stops renewing it", async () => {
      const chain = (id: string, status: "running" | "completed", step: number) => ({
        id,
        poolId: POOL,
        status,
        definition: { steps: [{ name: "plan" }, { name: "build" }, { name: "test" }] },
        state: { step, outputs: { plan: "p" } },
        claudeSessionId: "chain-session",
        worktreePath: null,
        branch: null,
        spendMicros: 0,
        createdAt: new Date(),
        finishedAt: null,
      });
      const live = newId();
      const dying = newId();
      const unowned = newId();
      await store.saveChain(chain(live, "running", 0));
      await store.saveChain(chain(dying, "running", 1));
      await store.saveChain(chain(unowned, "running", 0));
      await store.saveChain(chain(newId(), "completed", 3));
      expect(await store.claimChain(live, "e1", 60_000)).toBe(true);
      expect(await store.claimChain(live, "e2", 60_000)).toBe(false);
      expect(await store.claimChain(dying, "e1", 1)).toBe(true);
      // Saving progress does not drop the owner.
      await store.saveChain(chain(dying, "running", 1));
      expect(await store.renewChainLeases("e2", [live], 60_000)).toEqual([live]);
      await sleep(20);
      const taken = await store.claimOrphanedChains(POOL, "e2", 60_000);
      expect(taken.map((c) => [c.id, c.state])).toEqual([[dying, { step: 1, outputs: { plan: "p" } }]]);
      expect(await store.claimOrphanedChains(POOL, "e3", 60_000)).toEqual([]);
      expect(await store.renewChainLeases("e1", [live, dying], 60_000)).toEqual([dying]);
      // A restarted e2 hands its chains over at once.
      expect((await recoverOnStart(database.db, { engineId: "e2" })).interruptedChains).toEqual([dying]);
      expect((await store.claimOrphanedChains(POOL, "e3", 60_000)).map((c) => c.id)).toEqual([dying]);
    });

    it("keeps the daily rollup equal to the pool's settled spend through finishes, parks and cancels", async () => {
      const rand = prng(7);
      for (let i = 0; i < 30; i++) {
        const t = await store.insertTask(newTask(POOL, { tags: rand() < 0.5 ? ["x"] : [] }));
        const roll = rand();
        if (roll < 0.15) {
          await store.cancelPendingTask(t.id, { code: "CANCELLED", message: "x" });
          continue;
        }
        await store.claimNextTask({
          poolId: POOL,
          engineId: "e",
          slotId: "s",
          slotRole: null,
          leaseMs: 60_000,
        });
        await store.reserveBudget({ poolId: POOL, taskId: t.id, desiredMicros: 1_000_000, minimumMicros: 1 });
        if (roll < 0.4) {
          await store.parkTask(t.id, {
            engineId: "e",
            runAfter: new Date(Date.now() - 1),
            claudeSessionId: "s",
            spendMicros: Math.floor(rand() * 1000),
            tokens: { input: 1, output: 1, cacheRead: 0, cacheWrite: 0 },
            error: { code: "QUOTA_EXHAUSTED", message: "limit" },
          });
          await store.claimNextTask({
            poolId: POOL,
            engineId: "e",
            slotId: "s",
            slotRole: null,
            leaseMs: 60_000,
          });
        }
        await store.finishTask(t.id, {
          engineId: "e",
          status: rand() < 0.8 ? "completed" : "failed",
          result: null,
          error: null,
          spendMicros: Math.floor(rand() * 100_000),
          tokens: { input: 3, output: 2, cacheRead: 1, cacheWrite: 0 },
          model: "m",
          turns: 1,
          claudeSessionId: null,
        });
      }
      const [totals] = await queryRows<{
        rollup: string;
        tags: string;
        tasks: string;
        n: string;
        count: string;
      }>(
        database.db,
        sql`select (select sum(spend_micros) from spend_daily)::text as rollup,
                   (select sum(spend_micros) from spend_daily_tags)::text as tags,
                   (select sum(spend_micros) from tasks)::text as tasks,
                   (select sum(tasks) from spend_daily)::text as n,
                   (select count(*) from tasks where finished_at is not null)::text as count`,
      );
      const budget = await store.getBudget(POOL);
      expect(Number(totals?.rollup)).toBe(budget.spentMicros);
      expect(Number(totals?.tags)).toBe(budget.spentMicros);
      expect(Number(totals?.tasks)).toBe(budget.spentMicros);
      expect(Number(totals?.n)).toBe(Number(totals?.count));
      expect(budget.reservedMicros).toBe(0);
    });

    it("reports from the rollup what a naive GROUP BY over the tasks reports, for every bucket and grouping", async () => {
      let clock = new Date("2026-03-01T00:00:00Z");
      const timed = await PgStore.open(database, { clock: () => clock });
      const seed = Date.now() % 100_000;
      const rand = prng(seed);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
      await timed.ensurePool({ id: "pool-b", name: "B", config: {}, budgetCapMicros: null });
      const start = Date.parse("2026-03-01T00:00:00Z");
      for (let i = 0; i < 150; i++) {
        clock = new Date(start + Math.floor(rand() * 75 * 86_400_000));
        const poolId = pick([POOL, "pool-b"]);
        const t = await timed.insertTask(
          newTask(poolId, {
            submittedBy: pick(["alice", "bob", null]),
            skill: pick(["code_review", null]),
            tags: ["a", "b", "c"].filter(() => rand() < 0.4),
          }),
        );
        if (rand() < 0.1) {
          await timed.cancelPendingTask(t.id, { code: "CANCELLED", message: "x" });
          continue;
        }
        const slotId = pick(["slot-0", "slot-1", "slot-2"]);
        await timed.claimNextTask({ poolId, engineId: "e", slotId, slotRole: null, leaseMs: 60_000 });
        await timed.finishTask(t.id, {
          engineId: "e",
          status: pick<TaskStatus & ("completed" | "failed" | "timed_out" | "cancelled")>([
            "completed",
            "completed",
            "failed",
            "timed_out",
            "cancelled",
          ]),
          result: null,
          error: null,
          spendMicros: Math.floor(rand() * 2_000_000),
          tokens: {
            input: Math.floor(rand() * 5000),
            output: Math.floor(rand() * 800),
            cacheRead: Math.floor(rand() * 100),
            cacheWrite: Math.floor(rand() * 50),
          },
          model: pick(["sonnet", "opus", null]),
          turns: 1,
          claudeSessionId: null,
        });
      }
      await timed.close();
      const range = { from: "2026-03-04", to: "2026-05-01" };
      let compared = 0;
      for (const bucket of REPORT_BUCKETS) {
        for (const groupBy of REPORT_DIMENSIONS) {
          const query: ReportQuery = { ...range, bucket, groupBy };
          const fromRollup = await spendReport(database.db, query);
          const naive = await naiveReport(database, query);
          expect(sortRows(fromRollup), `seed ${seed}, ${bucket} × ${groupBy}`).toEqual(sortRows(naive));
          compared += fromRollup.length;
        }
      }
      expect(compared).toBeGreaterThan(100);
      const onlyB = await spendReport(database.db, {
        ...range,
        bucket: "month",
        groupBy: "pool",
        poolIds: ["pool-b"],
      });
      expect(new Set(onlyB.map((r) => r.key))).toEqual(new Set(["pool-b"]));

      const raw = await spendRows(database.db, range);
      const total = (await spendReport(database.db, { ...range, bucket: "month", groupBy: "pool" })).reduce(
        (s, r) => s + r.spendMicros,
        0,
      );
      expect(raw.reduce((s, r) => s + r.spendMicros, 0)).toBe(total);
      const csv = spendRowsToCsv(raw).split("\r\n");
      expect(csv[0]).toBe(
        "task_id,pool_id,status,model,user_id,skill,slot_id,tags,spend_usd,input_tokens,output_tokens,cache_read_tokens,cache_write_tokens,created_at,finished_at",
      );
      expect(csv).toHaveLength(raw.length + 2);
    });

    it("refuses report parameters it does not know instead of building SQL from them", async () => {
      const base = { from: "2026-01-01", to: "2026-02-01" };
      await expect(
        spendReport(database.db, { ...base, bucket: "year" as "day", groupBy: "model" }),
      ).rejects.toThrow(/report bucket: expected one of day, week, month, got "year"/);
      await expect(
        spendReport(database.db, { ...base, bucket: "day", groupBy: "1; drop table tasks" as "model" }),
      ).rejects.toThrow(/report grouping/);
      await expect(
        spendReport(database.db, { from: "January", to: "2026-02-01", bucket: "day", groupBy: "model" }),
      ).rejects.toThrow(/expected a date as YYYY-MM-DD, got "January"/);
    });

    it("prunes old output of ended tasks only, and never their spend", async () => {
      let clock = new Date(Date.now() - 40 * 86_400_000);
      const timed = await PgStore.open(database, { clock: () => clock });
      const ended = await timed.insertTask(newTask(POOL));
      const running = await timed.insertTask(newTask(POOL));
      await timed.claimNextTask({
        poolId: POOL,
        engineId: "e",
        slotId: "s0",
        slotRole: null,
        leaseMs: 60_000,
      });
      await timed.claimNextTask({
        poolId: POOL,
        engineId: "e",
        slotId: "s1",
        slotRole: null,
        leaseMs: 60_000,
      });
      await timed.appendTaskEvents(ended.id, [{ kind: "assistant", payload: { old: true } }]);
      await timed.appendTaskEvents(running.id, [{ kind: "assistant", payload: { old: true } }]);
      clock = new Date();
      await timed.appendTaskEvents(ended.id, [{ kind: "result", payload: { recent: true } }]);
      await timed.finishTask(ended.id, {
        engineId: "e",
        status: "completed",
        result: null,
        error: null,
        spendMicros: 4242,
        tokens: NO_TOKENS,
        model: null,
        turns: 1,
        claudeSessionId: null,
      });
      await timed.close();
      const pruned = await pruneTaskEvents(database.db, {
        olderThan: new Date(Date.now() - 30 * 86_400_000),
      });
      expect(pruned).toBe(1);
      expect((await store.listTaskEvents(ended.id)).map((e) => e.seq)).toEqual([2]);
      expect((await store.listTaskEvents(running.id)).map((e) => e.seq)).toEqual([1]);
      expect((await store.getTask(ended.id))?.spendMicros).toBe(4242);
      expect((await store.getBudget(POOL)).spentMicros).toBe(4242);
      // Appends continue the numbering after a prune.
      expect((await store.appendTaskEvents(ended.id, [{ kind: "x", payload: null }]))[0]?.seq).toBe(3);
    });

    it("keeps a pool in its team when an engine that does not know the team restarts it", async () => {
      await database.db.insert(schema.teams).values({ id: "team-1", name: "Team", slug: "team" });
      await store.ensurePool({
        id: "p-team",
        name: "T",
        config: {},
        budgetCapMicros: null,
        teamId: "team-1",
      });
      await store.ensurePool({ id: "p-team", name: "T2", config: { slots: 2 }, budgetCapMicros: 5 });
      expect(await store.getPool("p-team")).toEqual({
        id: "p-team",
        name: "T2",
        config: { slots: 2 },
        budgetCapMicros: 5,
        teamId: "team-1",
      });
      for (const [poolId, spendMicros] of [
        ["p-team", 123],
        [POOL, 7],
      ] as const) {
        const t = await store.insertTask(newTask(poolId));
        await store.finishTask(t.id, {
          engineId: "e",
          status: "completed",
          result: null,
          error: null,
          spendMicros,
          tokens: NO_TOKENS,
          model: null,
          turns: 1,
          claudeSessionId: null,
        });
      }
      const range = { from: "2020-01-01", to: "2100-01-01", bucket: "month", groupBy: "pool" } as const;
      const report = await spendReport(database.db, { ...range, teamId: "team-1" });
      expect(report.map((r) => [r.key, r.spendMicros])).toEqual([["p-team", 123]]);
      expect((await spendRows(database.db, { ...range, teamId: "team-1" })).map((r) => r.poolId)).toEqual([
        "p-team",
      ]);
    });

    it("keeps each task's id unique and refuses a task for an unknown pool", async () => {
      const t = newTask(POOL);
      await store.insertTask(t);
      await expect(store.insertTask(t)).rejects.toThrow();
      await expect(store.insertTask(newTask("no-such-pool", { id: newId() }))).rejects.toThrow();
    });
  });
}
