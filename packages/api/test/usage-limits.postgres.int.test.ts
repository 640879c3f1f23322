import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PoolHost } from "../src/host-port.js";
import { type DomainApi, domainApi, eventually, sim } from "./domain-helpers.js";
import { startSecondEngine } from "./helpers/second-engine.js";

/**
 * Issue 12, item 1 across engines: two PoolHosts on one Postgres database serve one pool with the
 * same Claude account. When that account hits its usage limit, the park is in the database, so
 * neither engine's slots try the account's other tasks, and `pools.status` shows the reset.
 */
describe("a usage limit parks the account on every engine sharing the database", { timeout: 180_000 }, () => {
  let d: DomainApi;
  let engineB: Awaited<ReturnType<typeof startSecondEngine>> | undefined;
  let hostB: PoolHost;

  beforeAll(async () => {
    d = await domainApi("postgres", { leaseMs: 15_000 });
    engineB = await startSecondEngine(d, 15_000);
    hostB = engineB.host;
  }, 120_000);
  afterAll(async () => {
    await engineB?.stop();
    await d?.close();
  });

  it("8 tasks of an account over its limit: at most one try per slot, none failed, all held until the reset, shown in status", async () => {
    const { team } = d;
    const { poolId } = await team.admin.call.pools.create({
      teamId: team.id,
      name: "quota",
      slots: 2,
      config: {},
    });
    await eventually(
      () => team.viewer.call.pools.status({ poolId }),
      (s) => s.engines.length === 2,
    );
    // Whole seconds, as the CLI reports them; an hour away: the test never reaches it.
    const resetsAt = new Date(Math.floor(Date.now() / 1000) * 1000 + 3_600_000).toISOString();
    const prompts = Array.from({ length: 8 }, (_, i) => `job ${i} ${sim({ usageLimit: { resetsAt } })}`);
    const { taskIds } = await team.member.call.tasks.fanOut({ poolId, prompts });

    const status = await eventually(
      () => team.viewer.call.pools.status({ poolId }),
      (s) => s.usageLimit?.parkedTasks === 8 && s.activeTasks === 0,
    );
    expect(status.usageLimit).toEqual({ until: resetsAt, parkedTasks: 8 });
    const tasks = await Promise.all(taskIds.map((taskId) => team.viewer.call.tasks.get({ taskId })));
    expect(tasks.map((t) => t.status)).toEqual(Array(8).fill("waiting_for_quota"));
    expect(tasks.every((t) => t.runAfter === resetsAt)).toBe(true);
    // The other engine reads the same park from the database.
    expect((await hostB.pool(poolId).status()).usageLimit).toEqual({ until: resetsAt, parkedTasks: 8 });
    // Only the runs already under way when the limit was first reported: at most one per slot (4).
    const tried = d
      .simLog()
      .filter((e) => typeof e.prompt === "string" && e.prompt.startsWith("job ")).length;
    expect(tried).toBeGreaterThanOrEqual(1);
    expect(tried).toBeLessThanOrEqual(4);
    // A task submitted now is held at once, on either engine.
    const late = await team.member.call.tasks.submit({ poolId, prompt: "late job" });
    const lateTask = await team.viewer.call.tasks.get({ taskId: late.taskId });
    expect(lateTask).toMatchObject({ status: "waiting_for_quota", runAfter: resetsAt });
    console.log(
      `usage limit across 2 engines: 9 tasks, ${tried} tried (4 slots), 0 failed, 9 held until ${resetsAt}`,
    );
    await team.admin.call.pools.drain({ poolId });
  });
});
