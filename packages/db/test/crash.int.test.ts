import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simDirective } from "@claude-pool/claude-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Database, PgStore } from "../src/index.js";
import { auditPool } from "./helpers/audit.js";
import { createScratchPostgres, eventually, type ScratchPostgres } from "./helpers/databases.js";
import { type EngineProcess, killHard, startEngine, stopGracefully } from "./helpers/engines.js";
import { newTask } from "./helpers/tasks.js";

const POOL = "crash-pool";
const TASKS = 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("an engine killed with SIGKILL three times while running 100 tasks on Postgres", () => {
  let scratch: ScratchPostgres;
  let database: Database;
  let dir: string;

  beforeAll(async () => {
    scratch = await createScratchPostgres("crash");
    database = await createDb({ url: scratch.url });
    dir = mkdtempSync(join(tmpdir(), "claude-pool-crash-"));
  });
  afterAll(async () => {
    await database?.close();
    await scratch?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("ends every task, runs none to completion twice, and loses no cent", async () => {
    const store = await PgStore.open(database);
    await store.ensurePool({ id: POOL, name: POOL, config: {}, budgetCapMicros: 100_000_000 });
    for (let i = 0; i < TASKS; i++) {
      const delayMs = 100 + ((i * 37) % 200);
      await store.insertTask(newTask(POOL, { prompt: `task ${i} ${simDirective({ cost: 0.01, delayMs })}` }));
    }
    const env = {
      DATABASE_URL: scratch.url,
      ENGINE_ID: "engine-crashy",
      POOL_ID: POOL,
      SLOTS: "4",
      LEASE_MS: "3000",
      WORK_DIR: dir,
      SIM_HOME: join(dir, "sim-home"),
      BUDGET_USD: "100",
      TASK_BUDGET_USD: "0.05",
    };
    const kills: number[] = [];
    let engine: EngineProcess | undefined;
    try {
      for (let k = 0; k < 3; k++) {
        engine = startEngine(env);
        await engine.ready;
        // A random moment while tasks are running (each restart picks up where the last one died).
        const after = 300 + Math.floor(Math.random() * 1500);
        await sleep(after);
        kills.push(after);
        await killHard(engine);
      }
      engine = startEngine(env);
      await engine.ready;
      const audit = await eventually(
        () => auditPool(database, POOL),
        (a) => a.nonTerminal === 0,
        90_000,
      );
      const context = `kills after ${kills.join(", ")} ms: ${JSON.stringify(audit)}`;
      expect(audit.nonTerminal, context).toBe(0);
      expect(audit.completedTwice, context).toBe(0);
      // The only way a task may fail here is by losing its engine twice.
      expect(
        Object.keys(audit.failureReasons).filter((r) => r !== "engine_restarted"),
        context,
      ).toEqual([]);
      expect(audit.byStatus.completed ?? 0, context).toBeGreaterThan(TASKS * 0.9);
      expect(audit.poolSpent, context).toBe(audit.taskSpend);
      expect(audit.rollupSpend, context).toBe(audit.taskSpend);
      expect(audit.rollupTasks, context).toBe(TASKS);
      expect(audit.poolReserved, context).toBe(0);
      // The kills interrupted running work that a later life of the engine took over.
      expect(audit.recovered, context).toBeGreaterThan(0);
      console.info(`crash test: ${context}`);
      expect(audit.taskSpend, context).toBeGreaterThanOrEqual((audit.byStatus.completed ?? 0) * 10_000);
    } finally {
      if (engine) await stopGracefully(engine);
      await store.close();
    }
  }, 150_000);
});
