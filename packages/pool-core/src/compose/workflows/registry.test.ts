import { describe, expect, it } from "vitest";
import { InvalidOptions, InvalidSkillArguments } from "../../domain/errors.js";
import { InvalidChainDefinition, planChain, renderStepPrompt } from "../chains/plan.js";
import { SkillRegistry } from "../skills/registry.js";
import { InvalidWorkflowArguments, WorkflowRegistry } from "./registry.js";

const skills = new SkillRegistry({ globalDir: null });

describe("WorkflowRegistry", () => {
  it("lists the builtin workflows with their arguments", () => {
    const workflows = new WorkflowRegistry(skills);
    expect(workflows.list().map((w) => w.name)).toEqual([
      "issue_to_pr",
      "refactor_and_test",
      "review_and_fix",
    ]);
    expect(workflows.get("issue_to_pr")?.arguments.map((a) => [a.name, a.required])).toEqual([
      ["issue", true],
      ["base", false],
    ]);
  });

  it("instantiates a workflow into a valid chain with its arguments and options", () => {
    const workflows = new WorkflowRegistry(skills);
    const instance = workflows.instantiate("issue_to_pr", {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: issue text quoting JS is the input under test
      issue: "Crash when the list is empty: `${error}`",
    });
    expect(instance.options).toEqual({ isolation: "worktree", tags: ["issue_to_pr"] });
    const steps = planChain(instance.steps, skills);
    expect(steps.map((s) => s.name)).toEqual(["analyze", "implement", "verify", "pr"]);

    const analyze = steps[0];
    if (!analyze) throw new Error("no first step");
    // The issue's text stays literal even where it looks like a chain reference.
    // biome-ignore lint/suspicious/noTemplateCurlyInString: issue text quoting JS is the input under test
    expect(renderStepPrompt(analyze, { previousOutput: null, steps: new Map() })).toContain("`${error}`");

    const pr = steps[3];
    if (!pr) throw new Error("no pr step");
    const prompt = renderStepPrompt(pr, {
      previousOutput: "tests pass",
      steps: new Map([["analyze", { output: "…", vars: { summary: "guard the empty list" } }]]),
    });
    expect(prompt).toContain("against main");
    expect(prompt).toContain("the fix (guard the empty list)");
  });

  it("passes workflow arguments into skill steps", () => {
    const workflows = new WorkflowRegistry(skills);
    const { steps } = workflows.instantiate("refactor_and_test", {
      path: "src/pool.ts",
      goal: "split the scheduler",
    });
    expect(steps[1]?.action).toEqual({
      type: "skill",
      skill: "refactor",
      arguments: { path: "src/pool.ts", goal: "split the scheduler" },
    });
    const planned = planChain(steps, skills)[1];
    if (!planned) throw new Error("no refactor step");
    expect(renderStepPrompt(planned, { previousOutput: "baseline ok", steps: new Map() })).toContain(
      "Refactor src/pool.ts so that: split the scheduler",
    );
  });

  it("validates arguments like a skill, listing each problem", () => {
    const workflows = new WorkflowRegistry(skills);
    const attempt = () => workflows.instantiate("review_and_fix", { focus: "x", pth: "src" });
    expect(attempt).toThrow(InvalidWorkflowArguments);
    expect(attempt).toThrow(InvalidSkillArguments);
    expect(attempt).toThrow(
      'invalid arguments for workflow "review_and_fix": missing argument "path", unknown argument "pth"',
    );
    expect(() => workflows.instantiate("nope", {})).toThrow(InvalidOptions);
  });

  it("refuses to register a workflow whose chain would be invalid", () => {
    const workflows = new WorkflowRegistry(skills, { builtins: false });
    expect(() =>
      workflows.register({
        name: "broken",
        arguments: [{ name: "path", required: true }],
        steps: [
          { name: "a", action: { type: "prompt", prompt: "Look at {path}" } },
          { name: "b", action: { type: "prompt", prompt: "Use {steps.a.missing}" } },
        ],
      }),
    ).toThrow(InvalidChainDefinition);
    const ok = workflows.register({
      name: "ok",
      arguments: [{ name: "path", required: true }],
      steps: [{ name: "a", action: { type: "prompt", prompt: "Look at {path}" } }],
    });
    expect(workflows.instantiate(ok.name, { path: "x" }).steps[0]?.action).toEqual({
      type: "prompt",
      prompt: "Look at x",
    });
  });
});
