import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simDirective } from "@claude-pool/claude-sim";
import type { StoreNotification } from "@claude-pool/core";
import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createDb, type Database, PgStore, queryRows } from "../src/index.js";
import { auditPool } from "./helpers/audit.js";
import { createScratchPostgres, eventually, type ScratchPostgres } from "./helpers/databases.js";
import { type EngineProcess, killHard, startEngine, stopGracefully } from "./helpers/engines.js";
import { newTask } from "./helpers/tasks.js";

describe("two engine processes on one Postgres", () => {
  let scratch: ScratchPostgres;
  let database: Database;
  let store: PgStore;
  let dir: string;
  const engines: EngineProcess[] = [];

  beforeEach(async () => {
    scratch = await createScratchPostgres("two");
    database = await createDb({ url: scratch.url });
    store = await PgStore.open(database);
    dir = mkdtempSync(join(tmpdir(), "claude-pool-two-"));
  });
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((e) => stopGracefully(e)));
    await store?.close();
    await database?.close();
    await scratch?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function engineEnv(engineId: string, poolId: string, budget: { cap: number; perTask: number }) {
    return {
      DATABASE_URL: scratch.url,
      ENGINE_ID: engineId,
      POOL_ID: poolId,
      SLOTS: "3",
      LEASE_MS: "1500",
      WORK_DIR: dir,
      SIM_HOME: join(dir, "sim-home"),
      BUDGET_USD: String(budget.cap),
      TASK_BUDGET_USD: String(budget.perTask),
    };
  }

  it("complete 200 tasks exactly once; when one is SIGKILLed the other finishes its tasks after the lease expires", async () => {
    const pool = "shared-pool";
    await store.ensurePool({ id: pool, name: pool, config: {}, budgetCapMicros: 100_000_000 });
    // A subscriber in this (third) process hears about work that runs in the engine processes.
    const completedSeen = new Set<string>();
    const runningOn = new Set<string>();
    store.subscribe(pool, (note: StoreNotification) => {
      if (note.type === "task_changed" && note.status === "completed") completedSeen.add(note.taskId);
      if (note.type === "task_changed" && note.status === "running") runningOn.add(note.taskId);
    });
    // Both engines are up before work arrives (a slow start must not leave one engine idle); they
    // hear about each task through NOTIFY.
    const a = startEngine(engineEnv("engine-a", pool, { cap: 100, perTask: 0.05 }));
    const b = startEngine(engineEnv("engine-b", pool, { cap: 100, perTask: 0.05 }));
    engines.push(a, b);
    await Promise.all([a.ready, b.ready]);
    for (let i = 0; i < 200; i++) {
      const delayMs = 40 + ((i * 53) % 120);
      await store.insertTask(newTask(pool, { prompt: `job ${i} ${simDirective({ cost: 0.01, delayMs })}` }));
    }
    await eventually(
      () => auditPool(database, pool),
      (x) => (x.byStatus.completed ?? 0) >= 40,
      60_000,
    );
    await killHard(a);
    const orphaned = await queryRows<{ id: string }>(
      database.db,
      sql`select id from tasks where engine_id = 'engine-a' and status = 'running'`,
    );

    const audit = await eventually(
      () => auditPool(database, pool),
      (x) => x.nonTerminal === 0,
      90_000,
    );
    const context = JSON.stringify(audit);
    expect(audit.byStatus, context).toEqual({ completed: 200 });
    expect(audit.completedTwice, context).toBe(0);
    // Every run's API call is paid for: each task's, plus the call a killed run made before A
    // died without settling it (its persisted assistant line, with no result line after it).
    const recovered = await queryRows<{ id: string }>(
      database.db,
      sql`select id from tasks where recoveries > 0`,
    );
    const unsettledCalls = await countUnsettledDeadCalls(
      database,
      recovered.map((r) => r.id),
    );
    expect(audit.poolSpent, context).toBe((200 + unsettledCalls) * 10_000);
    expect(audit.rollupSpend, context).toBe(audit.poolSpent);
    expect(audit.poolReserved, context).toBe(0);

    // Engine A died holding tasks; engine B took them over after A's lease ran out.
    expect(orphaned.length).toBeGreaterThan(0);
    const takenOver = await queryRows<{ engine_id: string; recoveries: number; status: string }>(
      database.db,
      sql`select engine_id, recoveries, status from tasks where id in (${sql.join(
        orphaned.map((o) => sql`${o.id}::uuid`),
        sql`, `,
      )})`,
    );
    expect(takenOver.every((t) => t.status === "completed")).toBe(true);
    // Taken over and resumed by B, unless A had stored the result line just before it died: then
    // the claim settled the task from that line instead of running it again.
    const resumedByB = takenOver.filter((t) => t.engine_id === "engine-b");
    expect(resumedByB.length).toBeGreaterThan(0);
    expect(resumedByB.every((t) => Number(t.recoveries) === 1)).toBe(true);
    const perEngine = await queryRows<{ engine_id: string; n: number }>(
      database.db,
      sql`select engine_id, count(*)::int as n from tasks group by engine_id order by engine_id`,
    );
    expect(perEngine.map((p) => p.engine_id)).toEqual(["engine-a", "engine-b"]);

    const heard = await eventually(
      () => completedSeen.size,
      (n) => n === 200,
      5_000,
    );
    expect(heard).toBe(200);
    expect(runningOn.size).toBe(200);
    console.info(`two engines: ${orphaned.length} taken over from the killed engine; ${context}`);
  }, 180_000);

  it("never let two engines racing on one pool's cap spend past it", async () => {
    const pool = "capped-pool";
    const capUsd = 0.6;
    await store.ensurePool({ id: pool, name: pool, config: {}, budgetCapMicros: capUsd * 1_000_000 });
    const a = startEngine(engineEnv("engine-a", pool, { cap: capUsd, perTask: 0.05 }));
    const b = startEngine(engineEnv("engine-b", pool, { cap: capUsd, perTask: 0.05 }));
    engines.push(a, b);
    await Promise.all([a.ready, b.ready]);
    for (let i = 0; i < 60; i++) {
      await store.insertTask(
        newTask(pool, { prompt: `spend ${i} ${simDirective({ cost: 0.02, delayMs: 30 })}` }),
      );
    }
    const audit = await eventually(
      () => auditPool(database, pool),
      (x) => x.nonTerminal === 0,
      90_000,
    );
    const context = JSON.stringify(audit);
    const completed = audit.byStatus.completed ?? 0;
    expect(audit.poolSpent, context).toBeLessThanOrEqual(capUsd * 1_000_000);
    expect(audit.poolSpent, context).toBe(completed * 20_000);
    expect(audit.rollupSpend, context).toBe(audit.poolSpent);
    expect(audit.poolReserved, context).toBe(0);
    // The cap was the limit: work was refused, and what was refused was refused for budget only.
    expect(completed, context).toBeGreaterThanOrEqual(20);
    expect(audit.failureReasons, context).toEqual({ budget_exceeded: 60 - completed });
    const engineIds = await queryRows<{ engine_id: string }>(
      database.db,
      sql`select distinct engine_id from tasks where status = 'completed' order by 1`,
    );
    expect(engineIds.map((e) => e.engine_id)).toEqual(["engine-a", "engine-b"]);
    console.info(`budget race: ${context}`);
  }, 120_000);
});

/** Runs cut off by a kill after an API call (an assistant line) and before their result line. */
async function countUnsettledDeadCalls(database: Database, taskIds: string[]): Promise<number> {
  let calls = 0;
  for (const id of taskIds) {
    const events = await queryRows<{ kind: string; message_id: string | null }>(
      database.db,
      sql`select kind, payload->'message'->>'id' as message_id from task_events
        where task_id = ${id}::uuid order by seq`,
    );
    const runs: Array<typeof events> = [];
    for (const e of events) {
      if (e.kind === "process") runs.push([]);
      else runs.at(-1)?.push(e);
    }
    for (const run of runs.slice(0, -1)) {
      if (run.some((e) => e.kind === "result")) continue;
      calls += new Set(run.filter((e) => e.kind === "assistant").map((e) => e.message_id)).size;
    }
  }
  return calls;
}
