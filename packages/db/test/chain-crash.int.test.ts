import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simDirective } from "@claude-pool/claude-sim";
import type { ChainProgress } from "@claude-pool/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Database, PgStore } from "../src/index.js";
import { createScratchPostgres, eventually, type ScratchPostgres } from "./helpers/databases.js";
import { type EngineProcess, killHard, startEngine, stopGracefully } from "./helpers/engines.js";

const POOL = "chain-crash-pool";

describe("a chain whose engine is SIGKILLed mid-step", () => {
  let scratch: ScratchPostgres;
  let database: Database;
  let dir: string;

  beforeAll(async () => {
    scratch = await createScratchPostgres("chaincrash");
    database = await createDb({ url: scratch.url });
    dir = mkdtempSync(join(tmpdir(), "claude-pool-chain-crash-"));
  });
  afterAll(async () => {
    await database?.close();
    await scratch?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("continues at the step it was on after a restart, in the same Claude session", async () => {
    const store = await PgStore.open(database);
    const steps = [
      {
        name: "a",
        action: { type: "prompt", prompt: `first ${simDirective({ reply: "alpha", cost: 0.01 })}` },
      },
      {
        name: "b",
        action: {
          type: "prompt",
          prompt: `second after {previous_output} ${simDirective({ delayMs: 2500, cost: 0.01 })}`,
        },
      },
      {
        name: "c",
        action: { type: "prompt", prompt: `third after {previous_output} ${simDirective({ cost: 0.01 })}` },
      },
    ];
    const env = {
      DATABASE_URL: scratch.url,
      ENGINE_ID: "engine-chain",
      POOL_ID: POOL,
      SLOTS: "2",
      LEASE_MS: "1500",
      WORK_DIR: dir,
      SIM_HOME: join(dir, "sim-home"),
      BUDGET_USD: "10",
      TASK_BUDGET_USD: "0.05",
    };
    let engine: EngineProcess | undefined;
    try {
      engine = startEngine({ ...env, CHAIN_STEPS: JSON.stringify(steps) });
      await engine.ready;
      const chainId = await eventually(
        async () => (await store.listChains(POOL))[0]?.id,
        (id) => id !== undefined,
        20_000,
      );
      if (!chainId) throw new Error("no chain");
      // Kill it while step b runs.
      await eventually(
        async () => ((await store.getChain(chainId))?.state as ChainProgress | undefined)?.currentStepName,
        (name) => name === "b",
        20_000,
      );
      await killHard(engine);

      engine = startEngine(env);
      await engine.ready;
      const record = await eventually(
        () => store.getChain(chainId),
        (c) => c?.status !== "running",
        60_000,
      );
      const progress = record?.state as ChainProgress;
      expect(progress.status, JSON.stringify(progress)).toBe("completed");
      expect(progress.steps.map((s) => s.status)).toEqual(["completed", "completed", "completed"]);
      expect(progress.finalOutput).toMatch(/^sim: third after sim: second after alpha/);

      const tasks = await store.listTasks({ poolId: POOL, chainId });
      // Step a ran once and was not repeated; no step completed twice.
      expect(tasks.filter((t) => t.chainStep === "a")).toHaveLength(1);
      for (const name of ["a", "b", "c"]) {
        expect(tasks.filter((t) => t.chainStep === name && t.status === "completed")).toHaveLength(1);
      }
      // One Claude session across the chain, before and after the crash.
      expect(new Set(tasks.map((t) => t.claudeSessionId)).size).toBe(1);
      expect(record?.spendMicros).toBe(tasks.reduce((a, t) => a + t.spendMicros, 0));
    } finally {
      if (engine) await stopGracefully(engine);
      await store.close();
    }
  });
});
