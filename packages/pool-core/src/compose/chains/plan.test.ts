import { describe, expect, it } from "vitest";
import { InvalidChain, InvalidSkillArguments } from "../../domain/errors.js";
import { SkillRegistry } from "../skills/registry.js";
import { chainStepsFromSkill } from "./from-skill.js";
import {
  type ChainScope,
  InvalidChainDefinition,
  planChain,
  renderRecoveryPrompt,
  renderStepPrompt,
  stepConfig,
} from "./plan.js";
import type { ChainStepInput } from "./schema.js";

const skills = new SkillRegistry({ globalDir: null });
skills.register({
  name: "echo",
  prompt: "Echo {text} after {previous_output}",
  arguments: [{ name: "text", required: true }],
  config: { model: "haiku", effort: "low" },
});

function invalid(steps: unknown): InvalidChainDefinition {
  try {
    planChain(steps, skills);
  } catch (error) {
    if (error instanceof InvalidChainDefinition) return error;
    throw error;
  }
  throw new Error("expected the chain to be refused");
}

function at<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new Error(`no item ${index}`);
  return item;
}

const prompt = (text: string) => ({ type: "prompt" as const, prompt: text });

describe("planChain", () => {
  it("accepts references to earlier steps' output variables and fills defaults", () => {
    const steps = planChain(
      [
        { name: "a", action: prompt("List files as JSON"), outputVars: { x: "files[0]" } },
        { name: "b", action: prompt("Use {steps.a.x} and {previous_output}") },
        {
          name: "c",
          action: { type: "skill", skill: "echo", arguments: { text: "{steps.a.output}" } },
          failurePolicy: { retries: 2, recoveryPrompt: "Fix: {error}" },
        },
      ],
      skills,
    );
    expect(steps.map((s) => s.name)).toEqual(["a", "b", "c"]);
    expect(steps[1]).toMatchObject({ failurePolicy: { retries: 0 }, outputVars: {} });
    expect(steps[2]?.skill?.name).toBe("echo");
  });

  it("refuses an unknown reference at submit, naming the step and the reference", () => {
    const error = invalid([
      { name: "a", action: prompt("start"), outputVars: { x: "x" } },
      { name: "b", action: prompt("use {steps.a.y} and {steps.zz.x} and {steps.c.q}") },
      { name: "c", action: prompt("end"), outputVars: { q: "q" } },
    ]);
    expect(error).toBeInstanceOf(InvalidChain);
    expect(error.code).toBe("INVALID_CHAIN");
    expect(error.problems).toEqual([
      {
        step: "b",
        field: "action.prompt",
        message: expect.stringContaining('{steps.a.y}: step "a" has no output variable "y" (it declares "x"'),
      },
      {
        step: "b",
        field: "action.prompt",
        message: expect.stringContaining('{steps.zz.x}: no step is named "zz"'),
      },
      {
        step: "b",
        field: "action.prompt",
        message: expect.stringContaining('{steps.c.q}: step "c" does not run before "b"'),
      },
    ]);
    expect(error.message).toContain('step "b" action.prompt: unknown reference {steps.a.y}');
  });

  it("refuses {previous_output} in the first step and {error} outside a recovery prompt", () => {
    const error = invalid([
      {
        name: "a",
        action: prompt("{previous_output}"),
        failurePolicy: { retries: 0, recoveryPrompt: "{error} {previous_output}" },
      },
      { name: "b", action: prompt("{error}") },
    ]);
    expect(error.problems.map((p) => [p.step, p.field])).toEqual([
      ["a", "action.prompt"],
      ["a", "failurePolicy.recoveryPrompt"],
      ["b", "action.prompt"],
    ]);
  });

  it("checks skills, their arguments, names, paths and the shape, reporting all at once", () => {
    const error = invalid([
      { name: "a", action: { type: "skill", skill: "echo", arguments: { txt: "x" } } },
      { name: "a", action: { type: "skill", skill: "nope", arguments: {} } },
      { name: "c", action: { type: "skill", skill: "plan_then_execute", arguments: { task: "x" } } },
      { name: "d", action: prompt("p"), outputVars: { v: "a..b" } },
    ]);
    expect(error.problems).toEqual([
      { step: "a", field: "action.arguments.text", message: 'missing argument of skill "echo"' },
      { step: "a", field: "action.arguments.txt", message: 'unknown argument of skill "echo"' },
      // The echo skill's own template reads {previous_output}, which the first step cannot.
      {
        step: "a",
        field: "action.skill",
        message: "{previous_output} in the first step: there is no previous step",
      },
      { step: "a", field: "name", message: "another step has the same name" },
      { step: "a", field: "action.skill", message: 'unknown skill "nope"' },
      { step: "c", field: "action.skill", message: expect.stringContaining("chain skill") },
      { step: "d", field: "outputVars.v", message: expect.stringContaining("not a dot path") },
    ]);
    expect(invalid([]).problems).toEqual([
      { step: null, field: "steps", message: "a chain needs at least one step" },
    ]);
    expect(
      invalid([{ name: "x.y", action: prompt("p"), extra: 1 }]).problems.map((p) => [p.step, p.field]),
    ).toEqual([
      ["x.y", "name"],
      ["x.y", "extra"],
    ]);
  });
});

describe("rendering steps", () => {
  const steps = planChain(
    [
      { name: "a", action: prompt("first"), outputVars: { x: "result.x", list: "items" } },
      {
        name: "b",
        action: prompt("Given {previous_output}, use {steps.a.x} and {steps.a.list}; literal {{error}}"),
        failurePolicy: { retries: 1, recoveryPrompt: "It failed: {error}. Output was {steps.a.output}" },
      },
      { name: "c", action: { type: "skill", skill: "echo", arguments: { text: "<{steps.a.x}>" } } },
    ] satisfies ChainStepInput[],
    skills,
  );
  const scope: ChainScope = {
    previousOutput: "OUT-A {error}",
    steps: new Map([["a", { output: "full A", vars: { x: "X", list: [1, 2] } }]]),
  };

  it("renders previous output, step variables (JSON for non-strings) and escapes", () => {
    expect(renderStepPrompt(at(steps, 1), scope)).toBe(
      "Given OUT-A {error}, use X and [1,2]; literal {error}",
    );
  });

  it("renders {error} in a recovery prompt", () => {
    expect(renderRecoveryPrompt(at(steps, 1), { ...scope, error: "tests failed" })).toBe(
      "It failed: tests failed. Output was full A",
    );
  });

  it("renders a skill step with chain references in its arguments and its template", () => {
    expect(renderStepPrompt(at(steps, 2), scope)).toBe("Echo <X> after OUT-A {error}");
    expect(stepConfig(at(steps, 2), { model: "sonnet", maxTurns: 3 })).toEqual({
      model: "haiku",
      effort: "low",
      maxTurns: 3,
    });
  });
});

describe("chain skills", () => {
  it("expands plan_then_execute into its steps with the arguments rendered in", () => {
    const skill = skills.require("plan_then_execute");
    const steps = chainStepsFromSkill(skill, { task: "Add a --json flag; keep {error} literal" });
    expect(steps.map((s) => s.name)).toEqual(["plan", "execute"]);
    expect(steps[0]?.config).toEqual({ permissionMode: "plan" });
    const planned = planChain(steps, skills);
    const first = renderStepPrompt(at(planned, 0), { previousOutput: null, steps: new Map() });
    expect(first).toContain("Add a --json flag; keep {error} literal");
    expect(() => chainStepsFromSkill(skill, {})).toThrow(InvalidSkillArguments);
  });
});
