import { simDirective } from "@claude-pool/claude-sim";
import { afterEach, describe, expect, it } from "vitest";
import {
  Cancelled,
  type DriverKind,
  InvalidChain,
  InvalidSkillArguments,
  type Pool,
  TaskFailed,
} from "../src/index.js";
import { initGitRepo, isAlive, type SimLogEntry, simPool, waitFor } from "./helpers.js";

const pools: Pool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.shutdown()));
});

async function setupOn(driver: DriverKind, slots: number) {
  const made = await simPool({ slots, claude: { driver } });
  pools.push(made.pool);
  return { ...made, orchestration: made.pool, skills: made.pool.skills };
}

const reply = (text: string) => simDirective({ reply: text });
const byPrompt = (log: SimLogEntry[], needle: string) => log.filter((entry) => entry.prompt.includes(needle));

describe.each(["cold", "warm"] as const)("on the %s driver", (driver) => {
  const setup = (slots = 2) => setupOn(driver, slots);

  describe("fan-out", () => {
    it("keeps every other result when one prompt fails, in order", async () => {
      const { orchestration } = await setup(3);
      const results = await orchestration.fanOut([
        `a ${reply("A")}`,
        { prompt: `b ${simDirective({ apiError: 500 })}` },
        { prompt: `c ${reply("C")}`, options: { tags: ["third"] } },
      ]);
      expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
      expect(results[0]?.status === "fulfilled" && results[0].value.output).toBe("A");
      expect(results[2]?.status === "fulfilled" && results[2].value.output).toBe("C");
      const failed = results[1];
      expect(failed?.status === "rejected" && failed.reason).toBeInstanceOf(TaskFailed);
    });

    it("reports a prompt refused at submit in its place", async () => {
      const { orchestration } = await setup(1);
      const results = await orchestration.fanOut(["ok", { prompt: "  " }]);
      expect(results[0]?.status).toBe("fulfilled");
      expect(results[1]).toMatchObject({ status: "rejected", taskId: null });
    });

    it("with failFast, cancels the rest on the first failure and kills their processes", async () => {
      const { orchestration, log } = await setup(3);
      const started = Date.now();
      const results = await orchestration.fanOut(
        [
          `slow-1 ${simDirective({ hang: true })}`,
          `fail ${simDirective({ apiError: 500 })}`,
          `slow-2 ${simDirective({ hang: true })}`,
        ],
        { failFast: true },
      );
      expect(results.map((r) => r.status)).toEqual(["rejected", "rejected", "rejected"]);
      expect(results[0]?.status === "rejected" && results[0].reason).toBeInstanceOf(Cancelled);
      expect(results[1]?.status === "rejected" && results[1].reason).toBeInstanceOf(TaskFailed);
      expect(results[2]?.status === "rejected" && results[2].reason).toBeInstanceOf(Cancelled);
      expect(Date.now() - started).toBeLessThan(10_000);
      for (const entry of byPrompt(log(), "slow-")) expect(isAlive(entry.pid)).toBe(false);
    });

    it("fans out chains and keeps the successful ones", async () => {
      const { orchestration } = await setup(2);
      const results = await orchestration.fanOutChains([
        { steps: [{ name: "one", action: { type: "prompt", prompt: `x ${reply("fine")}` } }] },
        {
          steps: [{ name: "two", action: { type: "prompt", prompt: `y ${simDirective({ crash: true })}` } }],
        },
      ]);
      expect(results[0]).toMatchObject({
        status: "fulfilled",
        value: { success: true, finalOutput: "fine" },
      });
      expect(results[1]).toMatchObject({ status: "rejected", progress: { status: "failed" } });
    });
  });

  describe("chains", () => {
    it("passes {previous_output} and a {steps.a.x} variable through three steps in one session", async () => {
      const { orchestration, log } = await setup(2);
      const chainId = await orchestration.submitChain([
        {
          name: "a",
          action: { type: "prompt", prompt: `step a ${reply('Here you go: {"x": "alpha", "n": [1, 2]}')}` },
          outputVars: { x: "x", second: "n[1]" },
        },
        { name: "b", action: { type: "prompt", prompt: "b got {steps.a.x} and {steps.a.second}" } },
        { name: "c", action: { type: "prompt", prompt: "c after [{previous_output}]" } },
      ]);
      const progress = await orchestration.chainResult(chainId, { wait: true });
      expect(progress).toMatchObject({
        status: "completed",
        success: true,
        totalSteps: 3,
        currentStep: null,
      });
      expect(progress.steps.map((s) => s.status)).toEqual(["completed", "completed", "completed"]);
      expect(progress.steps[0]?.vars).toEqual({ x: "alpha", second: 2 });
      expect(progress.steps[1]?.output).toBe("sim: b got alpha and 2");
      expect(progress.finalOutput).toBe("sim: c after [sim: b got alpha and 2]");
      expect(progress.spendUsd).toBeGreaterThan(0);
      expect(progress.spendUsd).toBeCloseTo(
        progress.steps.reduce((sum, s) => sum + s.spendUsd, 0),
        9,
      );
      for (const step of progress.steps) {
        expect(step.attempts).toBe(1);
        expect(step.durationMs).toBeGreaterThan(0);
      }

      // One session: the first step starts it, the others resume it.
      const entries = log();
      const [a, b, c] = ["step a", "b got", "c after"].map((needle) => byPrompt(entries, needle)[0]);
      expect(a?.resumedFrom).toBeNull();
      expect(b?.resumedFrom).toBe(a?.sessionId);
      expect(c?.resumedFrom).toBe(a?.sessionId);
      expect(progress.sessionId).toBe(a?.sessionId);

      // Persisted for the dashboard and other engines.
      const [stored] = (await pools[0]?.store.listChains(pools[0].id)) ?? [];
      expect(stored).toMatchObject({ id: chainId, status: "completed", claudeSessionId: a?.sessionId });
    });

    it("never resumes or changes a slot's session", async () => {
      const { pool, orchestration, log } = await setup(1);
      const before = await pool.run("slot work");
      const slotSession = (await pool.status()).slots[0]?.sessionId;
      expect(slotSession).toBe(before.sessionId);

      const chainId = await orchestration.submitChain([
        { name: "first", action: { type: "prompt", prompt: "chain first" } },
        { name: "second", action: { type: "prompt", prompt: "chain second" } },
      ]);
      const progress = await orchestration.chainResult(chainId, { wait: true });
      expect(progress.success).toBe(true);
      expect(progress.sessionId).not.toBe(slotSession);
      expect(byPrompt(log(), "chain first")[0]?.resumedFrom).toBeNull();
      expect((await pool.status()).slots[0]?.sessionId).toBe(slotSession);

      const after = await pool.run("slot work again");
      expect(after.sessionId).toBe(slotSession);
      expect(byPrompt(log(), "slot work again")[0]?.resumedFrom).toBe(slotSession);
    });

    it("retries a failing step, then lets its recovery prompt rescue the chain", async () => {
      const { orchestration, log } = await setup(1);
      const chainId = await orchestration.submitChain([
        { name: "setup", action: { type: "prompt", prompt: "set up" } },
        {
          name: "flaky",
          action: { type: "prompt", prompt: `flaky work ${simDirective({ apiError: 500 })}` },
          failurePolicy: { retries: 2, recoveryPrompt: `Recover from: {error} ${reply("recovered ok")}` },
        },
        { name: "after", action: { type: "prompt", prompt: "after: {previous_output}" } },
      ]);
      const progress = await orchestration.chainResult(chainId, { wait: true });
      expect(progress.success).toBe(true);
      const flaky = progress.steps[1];
      expect(flaky).toMatchObject({
        status: "completed",
        attempts: 4,
        recovered: true,
        output: "recovered ok",
      });
      expect(flaky?.taskIds).toHaveLength(4);
      expect(flaky?.error).toContain("API Error: 500");
      expect(progress.finalOutput).toBe("sim: after: recovered ok");

      const entries = log();
      expect(byPrompt(entries, "flaky work")).toHaveLength(3);
      const recovery = byPrompt(entries, "Recover from:")[0];
      expect(recovery?.prompt).toContain("API Error: 500");
      // Every attempt, the recovery included, ran in the chain's one session.
      const session = byPrompt(entries, "set up")[0]?.sessionId;
      for (const entry of [...byPrompt(entries, "flaky work"), recovery])
        expect(entry?.resumedFrom).toBe(session);
    });

    it("reads output variables from the structured output of a step with a JSON schema", async () => {
      const { orchestration, log } = await setup(1);
      const chainId = await orchestration.submitChain([
        {
          name: "classify",
          action: {
            type: "prompt",
            prompt: `classify ${simDirective({ structured: { label: "bug", score: 0.9 } })}`,
          },
          config: { jsonSchema: { type: "object", properties: { label: { type: "string" } } } },
          outputVars: { label: "label" },
        },
        { name: "act", action: { type: "prompt", prompt: "handle the {steps.classify.label}" } },
      ]);
      const progress = await orchestration.chainResult(chainId, { wait: true });
      expect(progress.steps[0]?.vars).toEqual({ label: "bug" });
      expect(byPrompt(log(), "handle the")[0]?.prompt).toBe("handle the bug");
    });

    it("fails at the step that cannot recover and skips the rest", async () => {
      const { orchestration } = await setup(1);
      const chainId = await orchestration.submitChain([
        { name: "ok", action: { type: "prompt", prompt: "fine" } },
        {
          name: "json",
          action: { type: "prompt", prompt: `no json here ${reply("sorry")}` },
          outputVars: { x: "x" },
          failurePolicy: { retries: 1 },
        },
        { name: "never", action: { type: "prompt", prompt: "unreached" } },
      ]);
      const progress = await orchestration.chainResult(chainId, { wait: true });
      expect(progress).toMatchObject({ status: "failed", success: false });
      expect(progress.steps.map((s) => s.status)).toEqual(["completed", "failed", "skipped"]);
      expect(progress.steps[1]?.attempts).toBe(2);
      expect(progress.error).toMatch(/step "json" failed: output variables "x" need JSON output/);
    });

    it("cancels mid-step: the step's process is killed and the chain ends cancelled", async () => {
      const { orchestration, log } = await setup(1);
      const chainId = await orchestration.submitChain([
        { name: "first", action: { type: "prompt", prompt: "quick" } },
        { name: "stuck", action: { type: "prompt", prompt: `stuck ${simDirective({ hang: true })}` } },
        { name: "later", action: { type: "prompt", prompt: "later" } },
      ]);
      await waitFor(() => byPrompt(log(), "stuck").length === 1);
      const running = await orchestration.chainResult(chainId);
      expect(running).toMatchObject({ status: "running", currentStep: 1, currentStepName: "stuck" });

      expect(await orchestration.cancelChain(chainId)).toBe(true);
      const progress = await orchestration.chainResult(chainId);
      expect(progress.status).toBe("cancelled");
      expect(progress.steps.map((s) => s.status)).toEqual(["completed", "cancelled", "skipped"]);
      const pid = byPrompt(log(), "stuck")[0]?.pid ?? 0;
      await waitFor(() => !isAlive(pid));
      expect(byPrompt(log(), "later")).toHaveLength(0);
      expect(await orchestration.cancelChain(chainId)).toBe(false);
    });

    it("shows the current step's partial output while it runs", async () => {
      const { pool, orchestration } = await setup(1);
      const seen: string[] = [];
      pool.on("chain.progress", (e) => {
        const p = e.progress as { partialOutput: string };
        if (p.partialOutput) seen.push(p.partialOutput);
      });
      const chainId = await orchestration.submitChain([
        {
          name: "tools",
          action: { type: "prompt", prompt: `work ${simDirective({ toolTurns: 2, reply: "done" })}` },
        },
      ]);
      await orchestration.chainResult(chainId, { wait: true });
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.at(-1)).toContain("done");
    });

    it("refuses an unknown reference when submitted, before anything runs", async () => {
      const { orchestration, log } = await setup(1);
      await expect(
        orchestration.submitChain([
          { name: "a", action: { type: "prompt", prompt: "a" } },
          { name: "b", action: { type: "prompt", prompt: "use {steps.a.nothing}" } },
        ]),
      ).rejects.toThrow(InvalidChain);
      expect(log()).toHaveLength(0);
    });

    it("runs in its own worktree and branch, which survive it for review", async () => {
      const { orchestration, dir, log } = await setup(1);
      const { git } = initGitRepo(dir);

      const chainId = await orchestration.submitChain(
        [
          {
            name: "edit",
            action: { type: "prompt", prompt: `edit ${simDirective({ writeFiles: { "NOTES.md": "hi" } })}` },
          },
        ],
        { isolation: "worktree", config: { permissionMode: "acceptEdits" } },
      );
      const progress = await orchestration.chainResult(chainId, { wait: true });
      expect(progress.success).toBe(true);
      expect(progress.worktreePath).toBeTruthy();
      expect(progress.branch).toContain(chainId);
      expect(byPrompt(log(), "edit ")[0]?.cwd).toBe(progress.worktreePath);
      expect(git("branch", "--list", progress.branch ?? "")).toContain(progress.branch ?? "");
      const { existsSync } = await import("node:fs");
      expect(existsSync(`${progress.worktreePath}/NOTES.md`)).toBe(true);
    });
  });

  describe("skills", () => {
    it("runs a registered skill with its arguments rendered in", async () => {
      const { orchestration, skills } = await setup(1);
      skills.register({
        name: "greet",
        prompt: "Greet {who} politely",
        arguments: [{ name: "who", required: true }],
      });
      const result = await orchestration.runSkill("greet", { who: "Ada" });
      expect(result.output).toBe("sim: Greet Ada politely");
      expect(result.task?.taskId).toBeTruthy();
      await expect(orchestration.runSkill("greet", { whom: "Ada" })).rejects.toThrow(InvalidSkillArguments);
    });

    it("runs a chain skill as a chain in one session", async () => {
      const { orchestration } = await setup(1);
      const result = await orchestration.runSkill("plan_then_execute", { task: "add a flag" });
      expect(result.chain?.steps.map((s) => s.name)).toEqual(["plan", "execute"]);
      expect(result.chain?.success).toBe(true);
      expect(result.output).toContain("Carry out the plan");
    });
  });

  describe("workflows", () => {
    it("starts a workflow by name and runs its steps with its arguments", async () => {
      const { orchestration, log } = await setup(1);
      const findings =
        '```json\n{"count": 1, "issues": [{"file": "a.ts", "line": 3, "severity": "major"}]}\n```';
      const chainId = await orchestration.startWorkflow("review_and_fix", {
        path: `src/a.ts ${simDirective({ reply: findings })}`,
      });
      const progress = await orchestration.chainResult(chainId, { wait: true });
      expect(progress.success).toBe(true);
      expect(progress.tags).toContain("workflow:review_and_fix");
      expect(progress.steps.map((s) => s.name)).toEqual(["review", "fix", "verify"]);
      expect(progress.steps[0]?.vars.count).toBe(1);
      const fix = byPrompt(log(), "Fix the findings")[0];
      expect(fix?.prompt).toContain('"file":"a.ts"');
      expect(() => orchestration.startWorkflow("review_and_fix", {})).toThrow(InvalidSkillArguments);
    });
  });

  describe("review", () => {
    it("re-runs a rejected result in the same session with the feedback, then approves", async () => {
      const { orchestration, log } = await setup(1);
      const reviewId = await orchestration.submitWithReview("write a haiku", { maxRejections: 3 });
      const first = await orchestration.reviewResult(reviewId, { wait: true });
      expect(first.status).toBe("awaiting_review");

      const rejected = await orchestration.rejectResult(reviewId, "mention the sea");
      expect(rejected.status).toBe("running");
      const second = await orchestration.reviewResult(reviewId, { wait: true });
      expect(second.status).toBe("awaiting_review");
      const revision = byPrompt(log(), "mention the sea")[0];
      expect(revision?.resumedFrom).toBe(first.sessionId);

      const result = await orchestration.approveResult(reviewId);
      expect(result.sessionId).toBe(first.sessionId);
      const done = await orchestration.reviewResult(reviewId);
      expect(done).toMatchObject({ status: "approved", rejections: 1 });
      expect(done.rounds.map((r) => r.feedback)).toEqual(["mention the sea", null]);
    });

    it("fails at the maximum number of rejections, keeping the history", async () => {
      const { orchestration } = await setup(1);
      const reviewId = await orchestration.submitWithReview("draft", { maxRejections: 2 });
      await orchestration.rejectResult(reviewId, "too long");
      const last = await orchestration.rejectResult(reviewId, "still too long");
      expect(last).toMatchObject({ status: "failed", rejections: 2 });
      expect(last.rounds.map((r) => r.feedback)).toEqual(["too long", "still too long"]);
      expect(last.rounds.every((r) => r.output !== null)).toBe(true);
      await expect(orchestration.approveResult(reviewId)).rejects.toThrow(/awaiting approval/);
    });
  });
});
