import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simDirective } from "@claude-pool/claude-sim";
import type { ChainProgress } from "@claude-pool/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Database, PgStore } from "../src/index.js";
import { createScratchPostgres, eventually, type ScratchPostgres } from "./helpers/databases.js";
import { type EngineProcess, killHard, startEngine, stopGracefully } from "./helpers/engines.js";

const POOL = "chain-crash-pool";

/** Alive and not a zombie (nothing reaps orphans in a container whose pid 1 is not an init). */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** Pids of the tool-like children the sims started (`spawnChild`), in order. */
function childPids(logFile: string): number[] {
  if (!existsSync(logFile)) return [];
  return readFileSync(logFile, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { childPid?: number })
    .flatMap((e) => (e.childPid ? [e.childPid] : []));
}

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
          prompt: `second after {previous_output} ${simDirective({ delayMs: 8000, spawnChild: true, cost: 0.01 })}`,
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
      SIM_LOG: join(dir, "sim.log"),
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
      // Kill the engine while step b's claude (and a tool process it started) runs.
      const [orphan] = await eventually(
        async () => childPids(env.SIM_LOG),
        (pids) => pids.length > 0,
        20_000,
      );
      await killHard(engine);
      // That tool process outlives the engine: the CLI runs in its own process group…
      expect(isAlive(orphan ?? 0)).toBe(true);

      engine = startEngine(env);
      await engine.ready;
      // …until the engine that takes the task over kills the group, long before the 8 s step would end.
      const stillAlive = await eventually(
        async () => isAlive(orphan ?? 0),
        (alive) => !alive,
        3_000,
      );
      expect(stillAlive).toBe(false);
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
  }, 120_000); // two engine processes start (each with tsx and a Postgres pool) on a possibly busy machine
});
