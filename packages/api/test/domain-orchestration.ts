import { randomUUID } from "node:crypto";
import { expect, it } from "vitest";
import { collect, type DomainApi, domainTools, sim, untracked } from "./domain-helpers.js";

/** Chains, skills, context, review and configuration. */
export function orchestrationSuite(get: () => DomainApi): void {
  const { newPool, rejection } = domainTools(get);

  it("runs a chain, its progress pushed to completion", async () => {
    const { team } = get();
    const poolId = await newPool("chains");
    const { chainId } = await team.member.call.chains.submit({
      poolId,
      steps: [
        { name: "draft", action: { type: "prompt", prompt: `draft ${sim({ reply: "first draft" })}` } },
        { name: "polish", action: { type: "prompt", prompt: "polish {previous_output}" } },
      ],
    });
    const progress = untracked(await collect(await team.viewer.call.chains.onProgress({ chainId })));
    const last = progress.at(-1)?.data;
    expect(last?.status).toBe("completed");
    expect(last?.steps.map((s) => s.status)).toEqual(["completed", "completed"]);
    expect(last?.finalOutput).toBe("sim: polish first draft");
    expect(progress.length).toBeGreaterThan(1);
    expect((await team.viewer.call.chains.get({ chainId })).status).toBe("completed");
    expect((await team.viewer.call.chains.workflows({ poolId })).map((w) => w.name)).toContain(
      "review_and_fix",
    );
  });

  it("adds a team skill, lists it and runs it; refuses bad arguments before anything runs", async () => {
    const { team } = get();
    const poolId = await newPool("skills");
    await team.admin.call.skills.add({
      poolId,
      skill: { name: "greet", prompt: "Say hello to {who}", arguments: [{ name: "who", required: true }] },
    });
    expect((await team.viewer.call.skills.list({ poolId })).map((s) => s.name)).toContain("greet");
    expect(await team.viewer.call.skills.get({ poolId, name: "greet" })).toMatchObject({ source: "runtime" });
    const { taskId } = await team.member.call.skills.run({
      poolId,
      name: "greet",
      arguments: { who: "Ada" },
    });
    const result = await team.viewer.call.tasks.result({ taskId: taskId ?? "", wait: true });
    expect(result?.output).toBe("sim: Say hello to Ada");
    const before = (await team.viewer.call.tasks.list({ poolId })).items.length;
    const bad = await rejection(
      team.member.call.skills.run({ poolId, name: "greet", arguments: { whom: "x" } }),
    );
    expect(bad.code).toBe("BAD_REQUEST");
    expect(bad.message).toMatch(/missing argument "who".*unknown argument "whom"/);
    expect((await team.viewer.call.tasks.list({ poolId })).items.length).toBe(before);
    await team.admin.call.skills.remove({ poolId, name: "greet" });
    expect((await rejection(team.viewer.call.skills.get({ poolId, name: "greet" }))).code).toBe("NOT_FOUND");
  });

  it("puts the shared context into the next task's appended system prompt", async () => {
    const d = get();
    const poolId = await newPool("context");
    await d.team.member.call.context.set({ poolId, key: "language", value: "rust" });
    expect(await d.team.viewer.call.context.list({ poolId })).toEqual([{ key: "language", value: "rust" }]);
    expect(await d.team.viewer.call.context.get({ poolId, key: "language" })).toEqual({
      key: "language",
      value: "rust",
    });
    const marker = `ctx-${randomUUID()}`;
    const { taskId } = await d.team.member.call.tasks.submit({ poolId, prompt: marker });
    await d.team.viewer.call.tasks.result({ taskId, wait: true });
    const run = d.simLog().find((entry) => entry.prompt === marker);
    expect(run?.appendSystemPrompt).toContain("- language: rust");
    expect(await d.team.member.call.context.delete({ poolId, key: "language" })).toEqual({ deleted: true });
    expect(await d.team.viewer.call.context.get({ poolId, key: "language" })).toEqual({
      key: "language",
      value: null,
    });
  });

  it("review: a rejection re-runs the task in its session with the feedback, an approval returns the result", async () => {
    const { team, simLog } = get();
    const poolId = await newPool("review");
    const { taskId } = await team.member.call.tasks.submitWithReview({ poolId, prompt: "write a haiku" });
    const rejected = await team.member.call.tasks.reject({ taskId, feedback: "more about autumn" });
    expect(rejected.status).toBe("running");
    expect(rejected.taskId).not.toBe(taskId);
    const approved = await team.member.call.tasks.approve({ taskId: rejected.taskId });
    // The re-run's prompt carries the feedback (after a note of the slot identity, when the
    // session moved to another slot); claude-sim echoes only the prompt's start.
    expect(approved.output).toMatch(/^sim: /);
    expect(simLog().some((e) => e.prompt.includes("more about autumn"))).toBe(true);
    const first = await team.viewer.call.tasks.get({ taskId });
    const second = await team.viewer.call.tasks.get({ taskId: rejected.taskId });
    expect(second.sessionId).toBe(first.sessionId);
    const again = await rejection(team.member.call.tasks.approve({ taskId: rejected.taskId }));
    expect(again.code).toBe("BAD_REQUEST");
  });

  it("applies a config update to the pool's idle slots, and a slot's role routes tasks to it", async () => {
    const d = get();
    const poolId = await newPool("config");
    const updated = await d.team.admin.call.pools.update({ poolId, config: { model: "opus" } });
    expect(updated.config.model).toBe("opus");
    const first = `model-${randomUUID()}`;
    await d.team.viewer.call.tasks.result({
      taskId: (await d.team.member.call.tasks.submit({ poolId, prompt: first })).taskId,
      wait: true,
    });
    expect(
      d
        .simLog()
        .find((e) => e.prompt === first)
        ?.argv.join(" "),
    ).toMatch(/--model=opus/);

    const slot = await d.team.admin.call.slots.configure({ poolId, slotId: "slot-1", role: "reviewer" });
    expect(slot).toMatchObject({ id: "slot-1", role: "reviewer" });
    const { taskId } = await d.team.member.call.tasks.submit({
      poolId,
      prompt: "review this",
      role: "reviewer",
    });
    expect((await d.team.viewer.call.tasks.result({ taskId, wait: true }))?.slotId).toBe("slot-1");
    expect((await d.team.viewer.call.pools.get({ poolId })).slotSpecs["slot-1"]).toMatchObject({
      role: "reviewer",
    });
  });
}
