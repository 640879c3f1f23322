import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DomainApi, domainApi, sim } from "./domain-helpers.js";

describe("pools and tasks through the API on PGlite, with claude-sim", () => {
  let d: DomainApi;
  beforeAll(async () => {
    d = await domainApi("pglite");
  }, 120_000);
  afterAll(async () => {
    await d?.close();
  });

  it("creates a pool, runs a task to its result and reports its spend", async () => {
    const { admin, member, viewer } = d.team;
    const { poolId } = await admin.call.pools.create({
      teamId: d.team.id,
      name: "first",
      slots: 2,
      config: {},
    });
    const { taskId } = await member.call.tasks.submit({ poolId, prompt: `hello ${sim({ cost: 0.02 })}` });
    const result = await viewer.call.tasks.result({ taskId, wait: true });
    expect(result?.output).toBe("sim: hello");
    expect(result?.spendUsd).toBeCloseTo(0.02, 6);
    const task = await viewer.call.tasks.get({ taskId });
    expect(task).toMatchObject({ status: "completed", spendUsd: 0.02, poolId, submittedBy: member.id });
    const status = await viewer.call.pools.status({ poolId });
    expect(status.slots).toHaveLength(2);
    expect(status.spendUsd).toBeCloseTo(0.02, 6);
    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const rows = await viewer.call.reports.spend({
      teamId: d.team.id,
      from: today,
      to: tomorrow,
      bucket: "day",
      groupBy: "pool",
    });
    expect(rows).toEqual([
      expect.objectContaining({ key: poolId, spendUsd: 0.02, tasks: 1, tasksCompleted: 1 }),
    ]);
  });
});
