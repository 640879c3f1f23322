import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createPoolClient } from "@claude-pool/api";
import { simDirective } from "@claude-pool/claude-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type EngineProcess,
  eventually,
  removeTempDirs,
  startEngine,
  tempDir,
} from "./helpers/engine-process.js";
import { createOwner } from "./helpers/owned-engine.js";
import { createScratchPostgres, type ScratchPostgres } from "./helpers/postgres.js";

/**
 * Two engine processes on one Postgres database serving the same pool (every engine serves every
 * pool of the database, claiming from one queue). One of them is SIGKILLed mid-run; the other takes
 * over its tasks once their leases expire.
 */

let pg: ScratchPostgres;
let a: EngineProcess;
let b: EngineProcess;
let token: string;
let teamId: string;
let simLog: string;

beforeAll(async () => {
  pg = await createScratchPostgres("two");
  ({ token, teamId } = await createOwner(["--database-url", pg.url]));
  const simHome = tempDir("sim");
  simLog = join(tempDir("log"), "sim.log");
  const env = { CLAUDE_SIM_HOME: simHome, CLAUDE_SIM_LOG: simLog };
  const args = (id: string) => ["--database-url", pg.url, "--engine-id", id, "--lease-ms", "2000"];
  [a, b] = await Promise.all([
    startEngine({ env, args: args("engine-a") }),
    startEngine({ env, args: args("engine-b") }),
  ]);
});

afterAll(async () => {
  await Promise.all([a?.stop("SIGKILL"), b?.stop("SIGKILL")]);
  await pg?.drop();
  removeTempDirs();
});

describe("two engine processes on one Postgres", () => {
  it("complete 100 tasks exactly once while one of them is SIGKILLed; spend per task = pool = rollup", async () => {
    const viaA = createPoolClient({ url: a.url, token });
    const viaB = createPoolClient({ url: b.url, token });
    const { poolId } = await viaA.pools.create.mutate({ teamId, name: "shared", slots: 3, config: {} });
    // Engine B starts slots for the pool engine A created (it learns of it through NOTIFY).
    const both = await eventually(
      () => viaB.pools.status.query({ poolId }),
      (s) => s.engines.length === 2,
    );
    expect([...both.engines].sort()).toEqual(["engine-a", "engine-b"]);

    const prompts = Array.from(
      { length: 100 },
      // Long enough (0.6–1.2 s) that a slot seen busy through engine A's status is still running
      // its task when B is killed a moment later, even on a loaded machine (100–250 ms was not).
      (_, i) => `job ${i} ${simDirective({ cost: 0.001, delayMs: 600 + (i % 4) * 200 })}`,
    );
    const taskIds: string[] = [];
    for (let i = 0; i < prompts.length; i += 50) {
      taskIds.push(
        ...(await viaA.tasks.fanOut.mutate({ poolId, prompts: prompts.slice(i, i + 50) })).taskIds,
      );
    }

    // Kill engine B while it runs tasks, once some work is done.
    const midRun = await eventually(
      async () => {
        const status = await viaA.pools.status.query({ poolId });
        const done = (await viaA.tasks.list.query({ poolId, status: "completed", limit: 200 })).items.length;
        return {
          bBusy: status.slots.filter((s) => s.engineId === "engine-b" && s.state === "busy").length,
          done,
        };
      },
      (s) => s.bBusy > 0 && s.done >= 10,
      120_000,
    );
    expect(midRun.bBusy).toBeGreaterThan(0);
    expect(await b.stop("SIGKILL")).toBe("SIGKILL");

    await eventually(
      async () => (await viaA.tasks.list.query({ poolId, status: "completed", limit: 200 })).items.length,
      (n) => n === 100,
      240_000,
    );
    const tasks = await Promise.all(taskIds.map((taskId) => viaA.tasks.get.query({ taskId })));
    expect(tasks.every((t) => t.status === "completed")).toBe(true);
    const results = await Promise.all(taskIds.map((taskId) => viaA.tasks.result.query({ taskId })));
    expect(results.map((r) => r?.output)).toEqual(prompts.map((_, i) => `sim: job ${i}`));

    // Engine B ran some tasks to the end before it died; the tasks it was running were taken over
    // (recoveries > 0): resumed by engine A, or settled from a result line B had already stored.
    const finishedBy = new Set(tasks.map((t) => t.engineId));
    expect(finishedBy).toEqual(new Set(["engine-a", "engine-b"]));
    const takenOver = tasks.filter((t) => t.recoveries > 0);
    expect(takenOver.length).toBeGreaterThan(0);

    // Exactly once: every prompt ran to its result once; only the taken-over ones ran again
    // (resumed in their Claude session after the kill).
    const runs = readFileSync(simLog, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { prompt?: string })
      .filter((e) => e.prompt?.startsWith("job "));
    expect(new Set(runs.map((e) => e.prompt)).size).toBe(100);
    expect(runs.length).toBeLessThanOrEqual(100 + takenOver.length);

    const taskSpend = tasks.reduce((sum, t) => sum + Math.round(t.spendUsd * 1e6), 0);
    expect(taskSpend).toBeGreaterThanOrEqual(100 * 1000);
    expect(Math.round((await viaA.pools.get.query({ poolId })).spendUsd * 1e6)).toBe(taskSpend);
    const day = new Date().toISOString().slice(0, 10);
    const next = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const [row] = await viaA.reports.spend.query({
      teamId,
      from: day,
      to: next,
      bucket: "day",
      groupBy: "pool",
      poolIds: [poolId],
    });
    expect(Math.round((row?.spendUsd ?? 0) * 1e6)).toBe(taskSpend);
    expect(row?.tasksCompleted).toBe(100);

    // The same report as CSV over plain HTTP with the token.
    const csv = await fetch(
      `${a.url}/reports/spend.csv?teamId=${teamId}&from=${day}&to=${next}&bucket=day&groupBy=pool&poolIds=${poolId}`,
      { headers: { authorization: `Bearer ${token}` } },
    );
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toContain("text/csv");
    expect((await csv.text()).trim().split("\n")).toHaveLength(2);
  }, 420_000);
});
