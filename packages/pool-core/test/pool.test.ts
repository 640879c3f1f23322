import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { simBinPath, simDirective } from "@claude-pool/claude-sim";
import { afterEach, describe, expect, it } from "vitest";
import {
  BudgetExceeded,
  Cancelled,
  ClaudeCliNotFound,
  InvalidOptions,
  InvalidSkillArguments,
  NoSlotsAvailable,
  Pool,
  PoolDraining,
  type PoolEvent,
  SlotNotFound,
  TaskFailed,
  Timeout,
  WorktreeError,
} from "../src/index.js";
import { initGitRepo, isAlive, simPool as simPoolOn, waitFor } from "./helpers.js";

const pools: Pool[] = [];
async function track<T extends { pool: Pool }>(p: Promise<T>): Promise<T> {
  const made = await p;
  pools.push(made.pool);
  return made;
}
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.shutdown()));
});

// Everything a user sees of the pool holds on both drivers.
describe.each(["cold", "warm"] as const)("on the %s driver", (driver) => {
  const simPool = (input: Parameters<typeof simPoolOn>[0]) =>
    simPoolOn({ ...input, claude: { driver, ...input.claude } });

  describe("running tasks", () => {
    it("runs a prompt and reports output, spend, tokens, session, slot, model and turns", async () => {
      const { pool } = await track(simPool({ slots: 2 }));
      const r = await pool.run(`write a haiku ${simDirective({ reply: "an old silent pond", cost: 0.02 })}`);
      expect(r.output).toBe("an old silent pond");
      expect(r.spendUsd).toBe(0.02);
      expect(r.tokens.output).toBe(2000);
      expect(r.sessionId).toMatch(/^[0-9a-f-]{36}$/);
      expect(["slot-0", "slot-1"]).toContain(r.slotId);
      expect(r.model).toBe("claude-sonnet-5-5");
      expect(r.turns).toBe(1);
      const status = await pool.status();
      expect(status.spendUsd).toBe(0.02);
      expect(status.slots.reduce((a, s) => a + s.tasksCompleted, 0)).toBe(1);
      // The slot is free by the time the caller hears of the result.
      expect(status.slots.map((s) => s.state)).toEqual(["idle", "idle"]);
      expect(status.activeTasks).toBe(0);
    });

    it("keeps every stream line as an ordered event and announces output live", async () => {
      const { pool, log } = await track(simPool({ slots: 1 }));
      const live: number[] = [];
      pool.on("task.output", (e) => live.push(e.seq));
      const r = await pool.run(`go ${simDirective({ toolTurns: 2 })}`);
      const events = await pool.taskEvents(r.taskId);
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      // The process that ran it is on record (a later engine uses it to kill an orphaned run).
      expect(events[0]).toMatchObject({ kind: "process", payload: { pid: log()[0]?.pid } });
      expect(events[1]?.kind).toBe("system");
      expect(events.at(-1)?.kind).toBe("result");
      expect(events.filter((e) => e.kind === "assistant").length).toBeGreaterThanOrEqual(3);
      expect(live).toEqual(events.map((e) => e.seq));
    });

    it("runs higher priorities first and FIFO within a priority", async () => {
      const { pool } = await track(simPool({ slots: 1 }));
      const started: string[] = [];
      pool.on("task.started", (e) => started.push(e.taskId));
      const blocker = await pool.submit(`block ${simDirective({ delayMs: 1000 })}`);
      await waitFor(() => started.length === 1);
      const low1 = await pool.submit("low 1", { priority: 0 });
      const high = await pool.submit("high", { priority: 5 });
      const low2 = await pool.submit("low 2", { priority: 0 });
      const urgent = await pool.submit("urgent", { priority: 10 });
      await Promise.all([blocker, low1, high, low2, urgent].map((id) => pool.result(id, { wait: true })));
      expect(started).toEqual([blocker, urgent, high, low1, low2]);
    });

    it("routes to a named slot or to a slot with the asked role", async () => {
      const { pool } = await track(
        simPool({ slots: [{ name: "alpha" }, { name: "reviewer-1", role: "reviewer" }, { name: "gamma" }] }),
      );
      const byRole = await Promise.all([1, 2, 3].map((i) => pool.run(`review ${i}`, { role: "reviewer" })));
      expect(byRole.map((r) => r.slotId)).toEqual(["slot-1", "slot-1", "slot-1"]);
      expect((await pool.run("x", { slot: "gamma" })).slotId).toBe("slot-2");
      expect((await pool.run("x", { slot: "slot-0" })).slotId).toBe("slot-0");
      await expect(pool.submit("x", { slot: "nope" })).rejects.toBeInstanceOf(SlotNotFound);
      await expect(pool.submit("x", { role: "painter" })).rejects.toThrow(/task\.role.*painter/);
    });

    it("refuses work past the maximum queue length", async () => {
      const { pool } = await track(simPool({ slots: 1, config: { maxQueue: 2 } }));
      const started: string[] = [];
      pool.on("task.started", (e) => started.push(e.taskId));
      await pool.submit(`hang ${simDirective({ hang: true })}`);
      await waitFor(() => started.length === 1);
      await pool.submit("q1");
      await pool.submit("q2");
      await expect(pool.submit("q3")).rejects.toBeInstanceOf(NoSlotsAvailable);
    });
  });

  describe("failures and process hygiene", () => {
    it("times out a hung task, kills its process and returns the slot to service", async () => {
      const { pool } = await track(simPool({ slots: 1 }));
      const id = await pool.submit(`hang ${simDirective({ hang: true })}`, { timeoutMs: 300 });
      await expect(pool.result(id, { wait: true })).rejects.toBeInstanceOf(Timeout);
      // The process the pool started (on record even if the timeout came before the CLI said anything).
      const spawned = (await pool.taskEvents(id)).find((e) => e.kind === "process");
      const pid = (spawned?.payload as { pid?: number } | undefined)?.pid ?? 0;
      expect(pid).toBeGreaterThan(0);
      // The warm driver ends the turn with an interrupt, then retires the process: it is gone shortly after.
      await waitFor(() => !isAlive(pid));
      expect((await pool.run("after")).output).toBe("sim: after");
    });

    it("kills the whole process group: a tool's child process does not outlive a cancelled task", async () => {
      const { pool, log } = await track(simPool({ slots: 1 }));
      const id = await pool.submit(`hang ${simDirective({ hang: true, spawnChild: true })}`);
      await waitFor(() => log().some((e) => e.childPid !== undefined));
      const child = log().find((e) => e.childPid !== undefined);
      expect(isAlive(child?.childPid ?? 0)).toBe(true);
      await pool.cancel(id);
      await waitFor(() => !isAlive(child?.childPid ?? 0));
      expect(isAlive(child?.childOf ?? 0)).toBe(false);
    });

    it("reports a crash with no result line as TaskFailed and recovers the slot", async () => {
      const { pool, log } = await track(simPool({ slots: 1 }));
      const err = await pool
        .run(`boom ${simDirective({ crash: true, exitCode: 3 })}`)
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TaskFailed);
      expect((err as TaskFailed).reason).toBe("no_result");
      expect((err as TaskFailed).message).toMatch(/exit 3/);
      expect(isAlive(log()[0]?.pid ?? 0)).toBe(false);
      expect((await pool.run("next")).output).toBe("sim: next");
      expect((await pool.status()).slots[0]?.errors).toBe(1);
    });

    it("maps API errors (is_error with subtype success) to TaskFailed with the CLI's message", async () => {
      const { pool } = await track(simPool({ slots: 1 }));
      const err = await pool.run(`x ${simDirective({ apiError: 401 })}`).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TaskFailed);
      expect((err as TaskFailed).reason).toBe("api_error");
      expect((err as TaskFailed).details.apiErrorStatus).toBe(401);
      expect((err as TaskFailed).message).toMatch(/authenticate/i);
    });
  });

  describe("sessions and context", () => {
    it("starts a new session every task in fresh mode, or when a task asks", async () => {
      const { pool } = await track(simPool({ slots: 1, config: { sessionMode: "fresh" } }));
      const a = await pool.run("one");
      const b = await pool.run("two");
      expect(b.sessionId).not.toBe(a.sessionId);
      const { pool: p2 } = await track(simPool({ slots: 1 }));
      const c = await p2.run("one");
      const d = await p2.run("two", { fresh: true });
      expect(d.sessionId).not.toBe(c.sessionId);
    });

    it("puts slot identity, the system prompt and shared context into --append-system-prompt", async () => {
      const { pool, log } = await track(
        simPool({
          slots: [{ name: "rusty", role: "analyzer", description: "Code review specialist" }],
          name: "team-pool",
          config: { systemPrompt: "You are a Rust expert" },
        }),
      );
      await pool.contextSet("language", "rust");
      await pool.contextSet("repo", "github.com/acme/widgets");
      expect(await pool.contextList()).toEqual([
        { key: "language", value: "rust" },
        { key: "repo", value: "github.com/acme/widgets" },
      ]);
      await pool.run("hello");
      const sys = log()[0]?.appendSystemPrompt ?? "";
      expect(sys).toContain('"rusty"');
      expect(sys).toContain("analyzer");
      expect(sys).toContain("Code review specialist");
      expect(sys).toContain("You are a Rust expert");
      expect(sys).toContain("- language: rust");
      expect(log()[0]?.argv).toContain("--strict-mcp-config");
      expect(log()[0]?.argv.some((a) => a.startsWith("--system-prompt"))).toBe(false);
      expect(await pool.contextDelete("language")).toBe(true);
      expect(await pool.contextGet("language")).toBeUndefined();
    });
  });

  describe("budget admission", () => {
    it("lets exactly the tasks the cap fits run when 50 race, and refuses the rest", async () => {
      const { pool } = await track(simPool({ slots: 4, config: { budgetUsd: 1, taskBudgetUsd: 0.1 } }));
      const results = await Promise.allSettled(
        Array.from({ length: 50 }, (_, i) => pool.run(`t${i} ${simDirective({ cost: 0.1 })}`)),
      );
      const ok = results.filter((r) => r.status === "fulfilled");
      const refused = results.filter((r) => r.status === "rejected" && r.reason instanceof BudgetExceeded);
      expect(ok.length).toBe(10);
      expect(refused.length).toBe(40);
      const status = await pool.status();
      expect(status.spendUsd).toBeLessThanOrEqual(1);
      expect(status.spendUsd).toBe(1);
      expect(status.reservedUsd).toBe(0);
      await expect(pool.submit("more")).rejects.toBeInstanceOf(BudgetExceeded);
    });
  });

  describe("bad input", () => {
    it("names the field and value of invalid options", async () => {
      await expect(Pool.create({ slots: 0 })).rejects.toThrow(/options\.slots.*0/);
      await expect(Pool.create({ slots: 0 })).rejects.toBeInstanceOf(InvalidOptions);
      await expect(
        Pool.create({ slots: 1, claude: { bin: simBinPath }, config: { permissionMode: "yolo" as "plan" } }),
      ).rejects.toThrow(/options\.config\.permissionMode.*yolo/);
      await expect(
        Pool.create({ slots: 1, claude: { bin: simBinPath }, config: { budgetUsd: 0 } }),
      ).rejects.toThrow(/options\.config\.budgetUsd/);
      await expect(
        Pool.create({ slots: 1, claude: { bin: simBinPath }, config: { budgetUsd: -5 } }),
      ).rejects.toThrow(/budgetUsd.*-5/);
      const { pool } = await track(simPool({ slots: 1 }));
      await expect(pool.submit("x", { priority: 1.5 })).rejects.toThrow(/task\.priority.*1\.5/);
      await expect(pool.submit("")).rejects.toThrow(/prompt/);
    });

    it("says how to install claude when the binary is missing", async () => {
      const err = await Pool.create({ slots: 1, claude: { bin: "/nonexistent/claude" } }).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ClaudeCliNotFound);
      expect((err as Error).message).toMatch(/npm i -g @anthropic-ai\/claude-code/);
      expect((err as Error).message).toMatch(/claude\.bin/);
    });

    it("refuses worktree: true outside a git repository before any slot starts", async () => {
      const dir = mkdtempSync(path.join(tmpdir(), "not-git-"));
      const err = await Pool.create({
        slots: 2,
        claude: { bin: simBinPath, cwd: dir },
        config: { worktree: true },
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorktreeError);
      expect((err as Error).message).toContain(dir);
      expect(existsSync(path.join(dir, ".claude-pool"))).toBe(false);
    });
  });

  describe("worktrees and drain", () => {
    it("gives each slot its own worktree where edits land, and removes them on drain", async () => {
      const { repo, git } = initGitRepo();
      const { pool } = await simPool({
        slots: 2,
        claude: { bin: simBinPath, cwd: repo },
        config: { worktree: true, permissionMode: "acceptEdits" },
      });
      const status = await pool.status();
      const paths = status.slots.map((s) => s.worktreePath);
      expect(new Set(paths).size).toBe(2);
      const r = await pool.run(`edit ${simDirective({ writeFiles: { "notes.txt": "from slot" } })}`, {
        slot: "slot-1",
      });
      expect(r.output).toBeTruthy();
      expect(existsSync(path.join(paths[1] ?? "", "notes.txt"))).toBe(true);
      expect(existsSync(path.join(repo, "notes.txt"))).toBe(false);
      const events: PoolEvent[] = [];
      pool.on("event", (e) => events.push(e));
      const summary = await pool.drain();
      expect(summary).toMatchObject({ totalTasks: 1, errorCount: 0 });
      expect(git("worktree", "list").trim().split("\n")).toHaveLength(1);
      expect(git("branch", "--list", "claude-pool/*").trim()).toBe("");
      expect(events.some((e) => e.type === "pool.drained")).toBe(true);
    });

    it("drain cancels pending work, lets running work finish, and refuses new work", async () => {
      const { pool } = await track(simPool({ slots: 1 }));
      const started: string[] = [];
      pool.on("task.started", (e) => started.push(e.taskId));
      const running = await pool.submit(`slow ${simDirective({ delayMs: 1000, cost: 0.05 })}`);
      const pending = await pool.submit("pending");
      await waitFor(() => started.length === 1);
      const summary = await pool.drain();
      expect(summary).toEqual({ totalTasks: 2, totalSpendUsd: 0.05, errorCount: 0, cancelledTasks: 1 });
      expect((await pool.result(running))?.spendUsd).toBe(0.05);
      await expect(pool.result(pending)).rejects.toBeInstanceOf(Cancelled);
      await expect(pool.submit("late")).rejects.toBeInstanceOf(PoolDraining);
    });
  });

  describe("composing work from the pool", () => {
    it("offers fan-out, project skills and chains on the pool itself", async () => {
      const { pool, dir } = await track(simPool({ slots: 2 }));
      const fan = await pool.fanOut(["a", `b ${simDirective({ crash: true })}`, "c"]);
      expect(fan.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);

      const skillDir = path.join(dir, ".claude-pool", "skills", "greet");
      mkdirSync(skillDir, { recursive: true });
      writeFileSync(
        path.join(skillDir, "SKILL.md"),
        "---\nname: greet\ndescription: Greets someone\narguments:\n  - name: who\n    required: true\n---\nSay hello to {who}.\n",
      );
      await pool.skills.reload();
      const greeted = await pool.runSkill("greet", { who: "Ada" });
      expect(greeted.output).toBe("sim: Say hello to Ada.");
      await expect(pool.runSkill("greet", {})).rejects.toBeInstanceOf(InvalidSkillArguments);

      const chainId = await pool.submitChain([
        { name: "a", action: { type: "prompt", prompt: "first" } },
        { name: "b", action: { type: "prompt", prompt: "then {previous_output}" } },
      ]);
      const progress = await pool.chainResult(chainId, { wait: true });
      expect(progress?.success).toBe(true);
      expect(progress?.finalOutput).toBe("sim: then sim: first");
    });
  });
});

// What these check is one process per task: its argv (session, model, budget flags) and its end.
describe("on the cold driver, one process per task", () => {
  const simPool = (input: Parameters<typeof simPoolOn>[0]) =>
    simPoolOn({ ...input, claude: { driver: "cold", ...input.claude } });

  it("cancels a queued task and a running one (its process dies)", async () => {
    const { pool, log } = await track(simPool({ slots: 1 }));
    const started: string[] = [];
    pool.on("task.started", (e) => started.push(e.taskId));
    const running = await pool.submit(`hang ${simDirective({ hang: true })}`);
    const queued = await pool.submit("never runs");
    await waitFor(() => started.length === 1 && log().length === 1);
    expect(await pool.cancel(queued)).toBe(true);
    await expect(pool.result(queued, { wait: true })).rejects.toBeInstanceOf(Cancelled);
    expect(await pool.cancel(running)).toBe(true);
    await expect(pool.result(running, { wait: true })).rejects.toBeInstanceOf(Cancelled);
    const pid = log()[0]?.pid ?? 0;
    expect(isAlive(pid)).toBe(false);
    expect(started).toEqual([running]);
    expect(await pool.cancel(running)).toBe(false);
  });

  it("survives garbage lines, partial lines and stderr noise", async () => {
    const { pool, log } = await track(simPool({ slots: 1 }));
    const r = await pool.run(`noisy ${simDirective({ garbage: true, reply: "clean answer", cost: 0.01 })}`);
    expect(r.output).toBe("clean answer");
    expect(r.spendUsd).toBe(0.01);
    const events = await pool.taskEvents(r.taskId);
    expect(events.some((e) => e.kind === "noise")).toBe(true);
    expect(isAlive(log()[0]?.pid ?? 0)).toBe(false);
    expect((await pool.run("next")).output).toBe("sim: next");
  });

  it("handles 10 MB of output in one line", async () => {
    const { pool, log } = await track(simPool({ slots: 1 }));
    const r = await pool.run(`big ${simDirective({ outputBytes: 10_000_000 })}`);
    expect(r.output.length).toBe(10_000_000);
    expect(isAlive(log()[0]?.pid ?? 0)).toBe(false);
    expect((await pool.run("next")).output).toBe("sim: next");
  });

  it("resumes the slot's session by default and prices each task alone", async () => {
    const { pool, log } = await track(simPool({ slots: 1 }));
    const a = await pool.run(`one ${simDirective({ cost: 0.1 })}`);
    const b = await pool.run(`two ${simDirective({ cost: 0.1 })}`);
    expect(b.sessionId).toBe(a.sessionId);
    expect(log()[1]?.argv.join(" ")).toContain(`--resume=${a.sessionId}`);
    // The CLI's total_cost_usd is cumulative (0.2 here); each task still costs 0.1.
    expect([a.spendUsd, b.spendUsd]).toEqual([0.1, 0.1]);
    expect((await pool.status()).spendUsd).toBeCloseTo(0.2, 9);
  });

  it("lets task config win over slot config over pool config", async () => {
    const { pool, log } = await track(
      simPool({
        slots: [{ config: { model: "haiku", permissionMode: "acceptEdits" } }, {}],
        config: { model: "opus", permissionMode: "plan", effort: "high" },
      }),
    );
    await pool.run("a", { slot: "slot-0" });
    await pool.run("b", { slot: "slot-0", config: { model: "sonnet" } });
    await pool.run("c", { slot: "slot-1" });
    const [a, b, c] = log();
    expect(a?.argv).toEqual(
      expect.arrayContaining(["--model=haiku", "--permission-mode=acceptEdits", "--effort=high"]),
    );
    expect(b?.argv).toEqual(expect.arrayContaining(["--model=sonnet", "--permission-mode=acceptEdits"]));
    expect(c?.argv).toEqual(expect.arrayContaining(["--model=opus", "--permission-mode=plan"]));
    await pool.configureSlot("slot-1", { role: "writer", config: { model: "haiku" } });
    await pool.run("d", { role: "writer" });
    expect(log()[3]?.argv).toContain("--model=haiku");
    await expect(pool.configureSlot("slot-9", { role: "x" })).rejects.toBeInstanceOf(SlotNotFound);
  });

  it("passes the reservation as --max-budget-usd and stops a task whose cost passes it", async () => {
    const { pool, log } = await track(simPool({ slots: 1, config: { budgetUsd: 10 } }));
    const err = await pool
      .run(`loop ${simDirective({ toolTurns: 5, cost: 0.06 })}`, { maxBudgetUsd: 0.1 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(log()[0]?.argv).toContain("--max-budget-usd=0.1");
    const status = await pool.status();
    // Stopped after the call that crossed 0.1: two calls, never the remaining four.
    expect(status.spendUsd).toBeCloseTo(0.12, 9);
    expect(status.reservedUsd).toBe(0);
  });

  it("parks a task that hits a usage limit and resumes its session after the reset", async () => {
    const { pool, log } = await track(simPool({ slots: 1 }));
    const seen: string[] = [];
    pool.on("event", (e) => {
      if (e.type.startsWith("task.") && e.type !== "task.output") seen.push(e.type);
    });
    const before = await pool.run("warm up");
    seen.length = 0;
    const resetsAt = new Date(Date.now() + 1500).toISOString();
    const id = await pool.submit(`work ${simDirective({ usageLimit: { resetsAt }, cost: 0.01 })}`);
    await waitFor(async () => (await pool.task(id)).status === "waiting_for_quota");
    expect((await pool.status()).pendingTasks).toBe(1);
    const r = await pool.result(id, { wait: true });
    expect(r?.output).toMatch(/^sim: work/);
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(resetsAt));
    // The retry continues the slot's session at its last good message: the prompt the limit
    // stopped is not in it twice.
    const [, limited, retried] = log();
    expect(limited?.argv).toContain(`--resume=${before.sessionId}`);
    expect(retried?.argv).toContain(`--resume=${before.sessionId}`);
    expect(retried?.argv.some((a) => a.startsWith("--resume-session-at="))).toBe(true);
    expect(r?.sessionId).toBe(before.sessionId);
    expect(seen).toEqual([
      "task.queued",
      "task.started",
      "task.waiting_for_quota",
      "task.started",
      "task.completed",
    ]);
  });
});
