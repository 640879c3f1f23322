import { randomUUID } from "node:crypto";
import { expect, it } from "vitest";
import {
  collect,
  type DomainApi,
  domainTools,
  eventually,
  malformed,
  sim,
  untracked,
} from "./domain-helpers.js";

/** Runs, fan-out, cancel, events, status, bad input, unknown ids, budgets, drain and delete, reports. */
export function runsSuite(get: () => DomainApi): void {
  const { newPool, rejection, today, tomorrow } = domainTools(get);

  it("creates a pool, runs a task to its result and reports its spend", async () => {
    const { team } = get();
    const poolId = await newPool("first");
    const { taskId } = await team.member.call.tasks.submit({
      poolId,
      prompt: `hello ${sim({ cost: 0.02 })}`,
    });
    const result = await team.viewer.call.tasks.result({ taskId, wait: true });
    expect(result?.output).toBe("sim: hello");
    expect(result?.spendUsd).toBeCloseTo(0.02, 6);
    expect(await team.viewer.call.tasks.get({ taskId })).toMatchObject({
      status: "completed",
      spendUsd: 0.02,
      poolId,
      submittedBy: team.member.id,
    });
    const status = await team.viewer.call.pools.status({ poolId });
    expect(status.slots.map((s) => s.state)).toEqual(["idle", "idle"]);
    expect(status.spendUsd).toBeCloseTo(0.02, 6);
    expect((await team.viewer.call.pools.list({ teamId: team.id })).map((p) => p.id)).toContain(poolId);

    const rows = await team.viewer.call.reports.spend({
      teamId: team.id,
      from: today(),
      to: tomorrow(),
      bucket: "day",
      groupBy: "pool",
    });
    expect(rows.find((r) => r.key === poolId)).toMatchObject({ spendUsd: 0.02, tasks: 1, tasksCompleted: 1 });
  });

  it("fans out prompts, each completing on its own, and lists them page by page", async () => {
    const { team } = get();
    const poolId = await newPool("fan-out");
    const prompts = ["a", "b", "c", "d", "e"].map((p) => `${p} ${sim({ cost: 0.001 })}`);
    const { taskIds } = await team.member.call.tasks.fanOut({ poolId, prompts });
    expect(taskIds).toHaveLength(5);
    const outputs = await Promise.all(
      taskIds.map(async (taskId) => (await team.viewer.call.tasks.result({ taskId, wait: true }))?.output),
    );
    expect(outputs).toEqual(["sim: a", "sim: b", "sim: c", "sim: d", "sim: e"]);
    const first = await team.viewer.call.tasks.list({ poolId, status: "completed", limit: 3 });
    expect(first.items).toHaveLength(3);
    expect(first.nextCursor).not.toBeNull();
    const second = await team.viewer.call.tasks.list({
      poolId,
      status: "completed",
      cursor: first.nextCursor ?? "",
    });
    expect([...first.items, ...second.items].map((t) => t.id).sort()).toEqual([...taskIds].sort());
    expect(second.nextCursor).toBeNull();
    expect((await team.viewer.call.tasks.list({ poolId, status: "queued" })).items).toEqual([]);
  });

  it("with failFast, a failing prompt cancels the ones not yet finished", async () => {
    const { team } = get();
    const poolId = await newPool("fail-fast", {}, 1);
    const { taskIds } = await team.member.call.tasks.fanOut({
      poolId,
      prompts: [
        `boom ${sim({ crash: true })}`,
        `slow ${sim({ delayMs: 10_000 })}`,
        `later ${sim({ delayMs: 10_000 })}`,
      ],
      failFast: true,
    });
    const statuses = await eventually(
      () => Promise.all(taskIds.map(async (taskId) => (await team.viewer.call.tasks.get({ taskId })).status)),
      (s) => s.every((x) => x !== "queued" && x !== "running"),
    );
    expect(statuses[0]).toBe("failed");
    expect(statuses.slice(1)).toContain("cancelled");
  });

  it("cancels a running task: its process is killed and it ends cancelled", async () => {
    const { team } = get();
    const poolId = await newPool("cancel", {}, 1);
    const { taskId } = await team.member.call.tasks.submit({
      poolId,
      prompt: `forever ${sim({ hang: true })}`,
    });
    await eventually(
      () => team.viewer.call.tasks.get({ taskId }),
      (t) => t.status === "running",
    );
    expect(await team.member.call.tasks.cancel({ taskId })).toEqual({ cancelled: true });
    expect((await team.viewer.call.tasks.get({ taskId })).status).toBe("cancelled");
    expect(await team.member.call.tasks.cancel({ taskId })).toEqual({ cancelled: false });
    const error = await rejection(team.viewer.call.tasks.result({ taskId }));
    expect(error.code).toBe("CONFLICT");
  });

  it("streams a task's events from the start, and a reader resuming after lastEventId gets exactly the rest", async () => {
    const { team } = get();
    const poolId = await newPool("events");
    const { taskId } = await team.member.call.tasks.submit({
      poolId,
      prompt: `work ${sim({ toolTurns: 3, delayMs: 60 })}`,
    });
    const firstPart = untracked(
      await collect(await team.viewer.call.tasks.onEvents({ taskId }), (e) => e.length === 2),
    );
    expect(firstPart.map((e) => e.data.seq)).toEqual([1, 2]);
    const lastEventId = firstPart.at(-1)?.id;
    const rest = untracked(await collect(await team.viewer.call.tasks.onEvents({ taskId, lastEventId })));
    const seqs = [...firstPart, ...rest].map((e) => e.data.seq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    expect(rest.at(-1)?.data.kind).toBe("result");
    // A replay from the start is the same stream.
    const replay = untracked(await collect(await team.viewer.call.tasks.onEvents({ taskId })));
    expect(replay.map((e) => [e.id, e.data.kind])).toEqual(
      [...firstPart, ...rest].map((e) => [e.id, e.data.kind]),
    );
    expect(rest.map((e) => e.id)).toEqual(rest.map((e) => String(e.data.seq)));
  });

  it("pages a long stream: a fast, a slow and a late reader, and a resume mid-way, each get exactly their part", async () => {
    const { team } = get();
    const poolId = await newPool("long-stream");
    // ~1200 events: several store pages and more than the shared feed's window of recent events.
    const { taskId } = await team.member.call.tasks.submit({
      poolId,
      prompt: `long ${sim({ toolTurns: 400, delayMs: 0 })}`,
    });
    const seqsOf = (events: ReadonlyArray<{ id: string; data: { seq: number } }>) =>
      untracked(events).map((e) => e.data.seq);
    const slow = (async () => {
      const got: number[] = [];
      for await (const e of await team.viewer.call.tasks.onEvents({ taskId })) {
        got.push(untracked([e])[0]?.data.seq ?? -1);
        // A reader that falls behind the feed: it must go back to the store, not lose events.
        if (got.length % 100 === 0) await new Promise((r) => setTimeout(r, 30));
      }
      return got;
    })();
    const fast = seqsOf(await collect(await team.viewer.call.tasks.onEvents({ taskId })));
    const n = fast.length;
    expect(n).toBeGreaterThan(1000);
    expect(fast).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(await slow).toEqual(fast);
    const late = seqsOf(await collect(await team.viewer.call.tasks.onEvents({ taskId })));
    expect(late).toEqual(fast);
    const resumed = seqsOf(
      await collect(await team.viewer.call.tasks.onEvents({ taskId, lastEventId: "700" })),
    );
    expect(resumed).toEqual(fast.slice(700));
  });

  it("pushes the pool status as it changes: the slot busy, then idle again", async () => {
    const { team } = get();
    const poolId = await newPool("status", {}, 1);
    const stream = await team.viewer.call.pools.onStatus({ poolId });
    const seen: string[] = [];
    const done = collect(stream, (events) => {
      const state = untracked(events).at(-1)?.data.slots[0]?.state ?? "none";
      if (seen.at(-1) !== state) seen.push(state);
      return seen.includes("busy") && state === "idle" && seen.indexOf("busy") < seen.lastIndexOf("idle");
    });
    const { taskId } = await team.member.call.tasks.submit({
      poolId,
      prompt: `wait ${sim({ delayMs: 300 })}`,
    });
    const events = untracked(await done);
    expect(seen).toEqual(["idle", "busy", "idle"]);
    expect(events.some((e) => e.data.slots[0]?.currentTaskId === taskId)).toBe(true);
    expect(events.at(-1)?.data.pendingTasks).toBe(0);
  });

  it("refuses malformed input with BAD_REQUEST naming the field, changing nothing", async () => {
    const { team } = get();
    const poolId = await newPool("bad-input");
    const pools = (await team.viewer.call.pools.list({ teamId: team.id })).length;
    const cases: Array<[() => Promise<unknown>, RegExp]> = [
      [() => team.admin.call.pools.create({ teamId: team.id, name: "x", slots: 0, config: {} }), /slots/],
      [
        () =>
          team.admin.call.pools.create({
            teamId: team.id,
            name: "x",
            slots: 1,
            config: malformed({ model: 5 }),
          }),
        /config\.model/,
      ],
      [
        () =>
          team.admin.call.pools.create({
            teamId: team.id,
            name: "x",
            slots: 1,
            config: malformed({ colour: "red" }),
          }),
        /colour/,
      ],
      [() => team.admin.call.pools.create({ teamId: team.id, name: "", slots: 1, config: {} }), /name/],
      [() => team.member.call.tasks.submit({ poolId, prompt: "" }), /prompt/],
      [() => team.member.call.tasks.submit({ poolId, prompt: "x", priority: malformed("high") }), /priority/],
      [() => team.member.call.tasks.submit({ poolId, prompt: "x", maxBudgetUsd: -1 }), /maxBudgetUsd/],
      [() => team.member.call.tasks.submit({ poolId, prompt: "x", role: "juggler" }), /task\.role/],
      [() => team.member.call.tasks.fanOut({ poolId, prompts: [] }), /prompts/],
      [() => team.viewer.call.tasks.list({ poolId, status: malformed("done") }), /status/],
      [() => team.member.call.chains.submit({ poolId, steps: [] }), /steps/],
      [() => team.admin.call.pools.update({ poolId, config: { maxQueue: -3 } }), /config\.maxQueue/],
      [
        () =>
          team.viewer.call.reports.spend({
            teamId: team.id,
            from: "2026-13-01",
            to: "2027-01-01",
            bucket: "day",
            groupBy: "pool",
          }),
        /from/,
      ],
      [
        () =>
          team.viewer.call.reports.spend({
            teamId: team.id,
            from: "2026-01-01",
            to: "2027-01-01",
            bucket: malformed("hour"),
            groupBy: "pool",
          }),
        /bucket/,
      ],
      [
        () =>
          team.viewer.call.reports.spend({
            teamId: team.id,
            from: "2026-01-01",
            to: "2027-01-01",
            bucket: "day",
            groupBy: malformed("colour"),
          }),
        /groupBy/,
      ],
    ];
    for (const [call, field] of cases) {
      const error = await rejection(call());
      expect(error.code, error.message).toBe("BAD_REQUEST");
      expect(error.message).toMatch(field);
    }
    expect((await team.viewer.call.pools.list({ teamId: team.id })).length).toBe(pools);
    expect((await team.viewer.call.tasks.list({ poolId })).items).toEqual([]);
    expect((await team.viewer.call.pools.get({ poolId })).config.maxQueue).toBe(10_000);
  });

  it("answers NOT_FOUND for unknown pools, tasks, chains, slots and skills", async () => {
    const { team } = get();
    const poolId = await newPool("not-found");
    const cases: Array<() => Promise<unknown>> = [
      () => team.viewer.call.pools.get({ poolId: "no-such-pool" }),
      () => team.viewer.call.tasks.get({ taskId: randomUUID() }),
      () => team.viewer.call.tasks.get({ taskId: "not-a-uuid" }),
      () => team.viewer.call.chains.get({ chainId: randomUUID() }),
      () => team.admin.call.slots.configure({ poolId, slotId: "slot-7", role: "x" }),
      () => team.member.call.tasks.submit({ poolId, prompt: "x", slot: "slot-9" }),
      () => team.viewer.call.skills.get({ poolId, name: "no_such_skill" }),
      () => team.member.call.skills.run({ poolId, name: "no_such_skill", arguments: {} }),
    ];
    for (const call of cases) expect((await rejection(call())).code).toBe("NOT_FOUND");
  });

  it("refuses work past the pool cap and past the team's monthly budget with PRECONDITION_FAILED saying what is left", async () => {
    const d = get();
    const poolId = await newPool("capped", { budgetUsd: 0.03, taskBudgetUsd: 0.03 }, 1);
    const { taskId } = await d.team.member.call.tasks.submit({
      poolId,
      prompt: `spend ${sim({ cost: 0.03 })}`,
    });
    await d.team.viewer.call.tasks.result({ taskId, wait: true });
    const pool = await rejection(d.team.member.call.tasks.submit({ poolId, prompt: "more" }));
    expect(pool.code).toBe("PRECONDITION_FAILED");
    expect(pool.message).toMatch(/\$0 of \$0\.03 is left/);

    // A team of its own, whose monthly budget is what one task costs.
    const other = await d.api.team({ name: `Budget ${randomUUID().slice(0, 8)}` });
    const { poolId: teamPool } = await other.admin.call.pools.create({
      teamId: other.id,
      name: "team-capped",
      slots: 1,
      config: {},
    });
    await other.admin.call.teams.setBudget({ teamId: other.id, monthlyUsd: 0.05 });
    const first = await other.member.call.tasks.submit({
      poolId: teamPool,
      prompt: `spend ${sim({ cost: 0.05 })}`,
    });
    await other.viewer.call.tasks.result({ taskId: first.taskId, wait: true });
    const team = await rejection(other.member.call.tasks.submit({ poolId: teamPool, prompt: "more" }));
    expect(team.code).toBe("PRECONDITION_FAILED");
    expect(team.message).toMatch(/team's monthly budget is spent: \$0 left of \$0\.05/);
  });

  it("drains a pool (it takes work again after) and deletes one: drained first, then gone for the API", async () => {
    const { team } = get();
    const poolId = await newPool("drain", {}, 1);
    const running = await team.member.call.tasks.submit({
      poolId,
      prompt: `running ${sim({ delayMs: 3_000 })}`,
    });
    await eventually(
      () => team.viewer.call.tasks.get({ taskId: running.taskId }),
      (t) => t.status === "running",
    );
    const queued = await team.member.call.tasks.submit({ poolId, prompt: "queued" });
    // A dashboard watching the pool across the drain keeps seeing it (the host runs a new Pool after).
    const watching = (await team.viewer.call.pools.onStatus({ poolId }))[Symbol.asyncIterator]();
    expect((await watching.next()).done).toBe(false);
    const summary = await team.admin.call.pools.drain({ poolId });
    expect(summary.cancelledTasks).toBe(1);
    expect((await team.viewer.call.tasks.get({ taskId: running.taskId })).status).toBe("completed");
    expect((await team.viewer.call.tasks.get({ taskId: queued.taskId })).status).toBe("cancelled");
    const after = await eventually(
      () =>
        team.member.call.tasks.submit({ poolId, prompt: `after drain ${sim({ delayMs: 1_000 })}` }).then(
          (r) => r.taskId,
          () => null,
        ),
      (id) => id !== null,
    );
    const seen = untracked(
      await collect({ [Symbol.asyncIterator]: () => watching }, (events) =>
        untracked(events).some((e) => e.data.slots[0]?.currentTaskId === after),
      ),
    );
    expect(seen.at(-1)?.data.slots[0]?.state).toBe("busy");
    expect((await team.viewer.call.tasks.result({ taskId: after ?? "", wait: true }))?.output).toBe(
      "sim: after drain",
    );

    await team.admin.call.pools.delete({ poolId });
    expect((await team.viewer.call.pools.list({ teamId: team.id })).map((p) => p.id)).not.toContain(poolId);
    expect((await rejection(team.member.call.tasks.submit({ poolId, prompt: "x" }))).code).toBe("NOT_FOUND");
    expect((await rejection(team.viewer.call.pools.status({ poolId }))).code).toBe("NOT_FOUND");
    // Its history stays readable.
    expect((await team.viewer.call.tasks.get({ taskId: running.taskId })).status).toBe("completed");
  });

  it("serves the spend report as CSV, and a diff that was never recorded as empty", async () => {
    const d = get();
    const { spendCsv } = await import("../src/routers/reports.js");
    const csv = await spendCsv(d.api.context(d.team.viewer.caller), {
      teamId: d.team.id,
      from: today(),
      to: tomorrow(),
      bucket: "day",
      groupBy: "pool",
    });
    expect(csv.contentType).toMatch(/text\/csv/);
    const [header, ...lines] = csv.body.trim().split("\r\n");
    expect(header).toBe(
      "period,pool,spend_usd,input_tokens,output_tokens,cache_read_tokens,cache_write_tokens,tasks,tasks_completed,tasks_failed,tasks_cancelled",
    );
    expect(lines.length).toBeGreaterThan(0);
    const anonymous = await rejection(
      spendCsv(d.api.context(null), { teamId: d.team.id, from: today(), to: tomorrow() }),
    );
    expect(anonymous.code).toBe("UNAUTHORIZED");
    const bad = await rejection(
      spendCsv(d.api.context(d.team.viewer.caller), { teamId: d.team.id, from: "x", to: tomorrow() }),
    );
    expect(bad.code).toBe("BAD_REQUEST");

    const poolId = await newPool("diff");
    const { taskId } = await d.team.member.call.tasks.submit({ poolId, prompt: "no diff" });
    await d.team.viewer.call.tasks.result({ taskId, wait: true });
    expect(await d.team.viewer.call.tasks.diff({ taskId })).toEqual({
      taskId,
      recorded: false,
      patch: "",
      truncated: false,
      patchBytes: 0,
      additions: 0,
      deletions: 0,
      files: [],
    });
  });
}
