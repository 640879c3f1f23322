import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PoolHost } from "../src/host-port.js";
import { collect, type DomainApi, domainApi, eventually, sim, untracked } from "./domain-helpers.js";
import { startSecondEngine } from "./helpers/second-engine.js";

/**
 * Two PoolHosts (two engine ids, each with its own database connections, store and LISTEN) on one
 * Postgres database, both serving the same pool. The API talks to engine A only; engine B learns
 * of the pool through the pools NOTIFY. (apps/engine runs the separate-process and SIGKILL version.)
 */
describe("two engines on one Postgres database serving the same pool", { timeout: 120_000 }, () => {
  let d: DomainApi;
  let engineB: Awaited<ReturnType<typeof startSecondEngine>> | undefined;
  let hostB: PoolHost;

  beforeAll(async () => {
    // Leases long enough that a starved event loop on a busy machine does not lose one mid-run
    // (that would be a takeover, a second run, by design).
    d = await domainApi("postgres", { leaseMs: 15_000 });
    engineB = await startSecondEngine(d, 15_000);
    hostB = engineB.host;
  }, 120_000);
  /** A new pool of the team, once both engines serve it (B's slots show in status a little before B's host hands the pool out). */
  async function poolOnBothEngines(name: string, slots: number): Promise<string> {
    const { team } = d;
    const { poolId } = await team.admin.call.pools.create({ teamId: team.id, name, slots, config: {} });
    await eventually(
      async () => (await team.viewer.call.pools.status({ poolId })).engines.length,
      (n) => n === 2,
    );
    await eventually(
      async () => servedByB(poolId),
      (served) => served,
    );
    return poolId;
  }
  function servedByB(poolId: string): boolean {
    try {
      hostB.pool(poolId);
      return true;
    } catch {
      return false;
    }
  }
  afterAll(async () => {
    await engineB?.stop();
    await d?.close();
  }, 60_000);

  it("complete 100 tasks exactly once between them, with spend per task = pool spend = the report", {
    timeout: 300_000,
  }, async () => {
    const { team } = d;
    const { poolId } = await team.admin.call.pools.create({
      teamId: team.id,
      name: "shared",
      slots: 3,
      config: {},
    });
    // Engine B starts its own slots for the pool another engine created.
    await eventually(
      async () => servedByB(poolId),
      (served) => served,
    );
    const status = await eventually(
      () => team.viewer.call.pools.status({ poolId }),
      (s) => s.engines.length === 2,
    );
    expect(status.slots).toHaveLength(6);
    expect(status.engines.sort()).toEqual(["engine-a", "engine-b"]);

    const prompts = Array.from(
      { length: 100 },
      (_, i) => `job ${i} ${sim({ cost: 0.001, delayMs: 20 + (i % 5) * 10 })}`,
    );
    const taskIds: string[] = [];
    for (let i = 0; i < prompts.length; i += 50) {
      taskIds.push(
        ...(await team.member.call.tasks.fanOut({ poolId, prompts: prompts.slice(i, i + 50) })).taskIds,
      );
    }
    // One reader polling the pool's list (the harness gives each database only a few connections).
    await eventually(
      async () =>
        (await team.viewer.call.tasks.list({ poolId, status: "completed", limit: 200 })).items.length,
      (n) => n === 100,
      240_000,
    );
    const results = await Promise.all(taskIds.map((taskId) => team.viewer.call.tasks.result({ taskId })));
    expect(results.map((r) => r?.output)).toEqual(prompts.map((_, i) => `sim: job ${i}`));

    const tasks = await Promise.all(taskIds.map((taskId) => team.viewer.call.tasks.get({ taskId })));
    expect(tasks.every((t) => t.status === "completed" && t.attempt === 1)).toBe(true);
    const byEngine = new Map<string, number>();
    for (const t of tasks) byEngine.set(t.engineId ?? "?", (byEngine.get(t.engineId ?? "?") ?? 0) + 1);
    expect([...byEngine.keys()].sort()).toEqual(["engine-a", "engine-b"]);
    // Exactly once: claude-sim ran each prompt one time.
    const runs = d.simLog().filter((e) => e.prompt.startsWith("job "));
    expect(runs).toHaveLength(100);
    expect(new Set(runs.map((e) => e.prompt)).size).toBe(100);

    const taskSpend = tasks.reduce((a, t) => a + Math.round(t.spendUsd * 1e6), 0);
    expect(taskSpend).toBe(100 * 1000);
    expect(Math.round((await team.viewer.call.pools.get({ poolId })).spendUsd * 1e6)).toBe(taskSpend);
    const day = new Date().toISOString().slice(0, 10);
    const next = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const [row] = await team.viewer.call.reports.spend({
      teamId: team.id,
      from: day,
      to: next,
      bucket: "day",
      groupBy: "pool",
      poolIds: [poolId],
    });
    expect(Math.round((row?.spendUsd ?? 0) * 1e6)).toBe(taskSpend);
    expect(row?.tasksCompleted).toBe(100);

    // A task engine B ran: its events replay through engine A's API, ending with its result.
    const onB = tasks.find((t) => t.engineId === "engine-b");
    const events = untracked(await collect(await team.viewer.call.tasks.onEvents({ taskId: onB?.id ?? "" })));
    expect(events.at(-1)?.data.kind).toBe("result");
  });

  it("cancels, through engine A, tasks that run on engine B", async () => {
    const { team } = d;
    const poolId = await poolOnBothEngines("cancel-across", 2);
    const { taskIds } = await team.member.call.tasks.fanOut({
      poolId,
      prompts: [1, 2, 3, 4].map((i) => `hang ${i} ${sim({ hang: true })}`),
    });
    const running = await eventually(
      () => Promise.all(taskIds.map((taskId) => team.viewer.call.tasks.get({ taskId }))),
      (ts) => ts.every((t) => t.status === "running"),
    );
    expect(running.some((t) => t.engineId === "engine-b")).toBe(true);
    for (const taskId of taskIds)
      expect(await team.member.call.tasks.cancel({ taskId })).toEqual({ cancelled: true });
    const after = await Promise.all(taskIds.map((taskId) => team.viewer.call.tasks.get({ taskId })));
    expect(after.map((t) => t.status)).toEqual(["cancelled", "cancelled", "cancelled", "cancelled"]);
  });

  it("streams, live through engine A, the output of a task engine B is running", async () => {
    const { team } = d;
    const poolId = await poolOnBothEngines("live-across", 2);
    const { taskIds } = await team.member.call.tasks.fanOut({
      poolId,
      prompts: [1, 2, 3, 4].map((i) => `stream ${i} ${sim({ toolTurns: 4, delayMs: 250 })}`),
    });
    const running = await eventually(
      () => Promise.all(taskIds.map((taskId) => team.viewer.call.tasks.get({ taskId }))),
      (ts) => ts.some((t) => t.status === "running" && t.engineId === "engine-b"),
    );
    const onB = running.find((t) => t.status === "running" && t.engineId === "engine-b");
    const events = untracked(await collect(await team.viewer.call.tasks.onEvents({ taskId: onB?.id ?? "" })));
    expect(events.map((e) => e.data.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.at(-1)?.data.kind).toBe("result");
    expect((await team.viewer.call.tasks.get({ taskId: onB?.id ?? "" })).engineId).toBe("engine-b");
  });

  it("cancels, through engine A, a chain engine B drives", async () => {
    const { team } = d;
    const poolId = await poolOnBothEngines("chain-across", 1);
    const chainId = await hostB.pool(poolId).submitChain([
      { name: "stuck", action: { type: "prompt", prompt: `stuck ${sim({ hang: true })}` } },
      { name: "never", action: { type: "prompt", prompt: "never runs" } },
    ]);
    await eventually(
      () => team.viewer.call.chains.get({ chainId }),
      (c) => c.steps[0]?.status === "running",
    );
    expect(await team.member.call.chains.cancel({ chainId })).toEqual({ cancelled: true });
    const chain = await team.viewer.call.chains.get({ chainId });
    expect(chain.status).toBe("cancelled");
    expect(chain.steps[1]?.status).not.toBe("completed");
  });

  it("a pool deleted through engine A stops on engine B too", async () => {
    const { team } = d;
    const poolId = await poolOnBothEngines("deleted-across", 1);
    await team.admin.call.pools.delete({ poolId });
    await eventually(
      async () => servedByB(poolId),
      (served) => !served,
    );
  });

  it("an engine that stops with no grace leaves its running tasks to the other, which finishes them: none lost, none cancelled", {
    timeout: 120_000,
  }, async () => {
    const { team } = d;
    const poolId = await poolOnBothEngines("stop", 2);
    const { taskIds } = await team.member.call.tasks.fanOut({
      poolId,
      prompts: Array.from({ length: 6 }, (_, i) => `long ${i} ${sim({ delayMs: 1500, cost: 0.001 })}`),
    });
    const running = await eventually(
      () => Promise.all(taskIds.map((taskId) => team.viewer.call.tasks.get({ taskId }))),
      (ts) => ts.filter((t) => t.status === "running").length === 4,
    );
    const onB = running.filter((t) => t.status === "running" && t.engineId === "engine-b").map((t) => t.id);
    expect(onB).toHaveLength(2);
    await hostB.stop({ graceMs: 0 });
    const ended = await eventually(
      () => Promise.all(taskIds.map((taskId) => team.viewer.call.tasks.get({ taskId }))),
      (ts) => ts.every((t) => t.status === "completed" || t.status === "failed" || t.status === "cancelled"),
      60_000,
    );
    expect(ended.map((t) => t.status)).toEqual(taskIds.map(() => "completed"));
    for (const t of ended.filter((x) => onB.includes(x.id))) {
      expect(t).toMatchObject({ engineId: "engine-a", recoveries: 1 });
    }
    const status = await team.viewer.call.pools.status({ poolId });
    expect(status.engines).toEqual(["engine-a"]);
  });
});
