import type { z } from "zod";
import { InvalidChain } from "../../domain/errors.js";
import type { ClaudeConfig } from "../../domain/types.js";
import { renderSkillPrompt, skillArgumentProblems } from "../skills/render.js";
import type { Skill } from "../skills/schema.js";
import { parseDotPath } from "./output.js";
import { type ChainStep, chainStepsSchema } from "./schema.js";
import { formatValue, type ReferenceToken, references, render } from "./template.js";

/** One thing wrong with a chain: the step (null for the chain as a whole), the field, what is wrong. */
export interface ChainProblem {
  step: string | null;
  field: string;
  message: string;
}

/** An `InvalidChain` that lists every problem, each naming its step. */
export class InvalidChainDefinition extends InvalidChain {
  constructor(readonly problems: ChainProblem[]) {
    super(
      `invalid chain: ${problems
        .map((p) => `${p.step === null ? "" : `step "${p.step}" `}${p.field}: ${p.message}`)
        .join("; ")}`,
    );
  }
}

/** A validated step, with the skill it runs captured when the chain was submitted. */
export type PlannedStep = ChainStep & { skill?: Skill };

export interface SkillLookup {
  get(name: string): Skill | undefined;
}

/**
 * Validates chain steps before anything runs: the shape, unique names, skills and their
 * arguments, output-variable paths, and every template reference against the steps before it.
 * Throws `InvalidChainDefinition` listing all problems.
 */
export function planChain(input: unknown, skills: SkillLookup): PlannedStep[] {
  const parsed = chainStepsSchema.safeParse(input);
  if (!parsed.success) throw new InvalidChainDefinition(parsed.error.issues.map((i) => zodProblem(input, i)));

  const steps = parsed.data;
  const problems: ChainProblem[] = [];
  const planned: PlannedStep[] = [];
  const seen = new Set<string>();
  for (const [index, step] of steps.entries()) {
    const problem = (field: string, message: string) => problems.push({ step: step.name, field, message });
    if (seen.has(step.name)) problem("name", "another step has the same name");
    seen.add(step.name);

    for (const [name, path] of Object.entries(step.outputVars)) {
      if (parseDotPath(path) === null)
        problem(`outputVars.${name}`, `"${path}" is not a dot path (like "a.b" or "items[0].id")`);
    }

    const templates: Array<[string, string, boolean]> = [];
    let skill: Skill | undefined;
    if (step.action.type === "prompt") {
      templates.push(["action.prompt", step.action.prompt, false]);
    } else {
      skill = skills.get(step.action.skill);
      if (!skill) {
        problem("action.skill", `unknown skill "${step.action.skill}"`);
      } else if (skill.scope === "chain") {
        problem(
          "action.skill",
          `"${skill.name}" is a chain skill; run it with runSkill, or copy its steps into this chain`,
        );
      } else {
        for (const p of skillArgumentProblems(skill, step.action.arguments)) {
          problem(`action.arguments.${p.argument}`, `${p.problem} argument of skill "${skill.name}"`);
        }
        templates.push(["action.skill", skill.prompt, false]);
      }
      for (const [name, value] of Object.entries(step.action.arguments)) {
        if (typeof value === "string") templates.push([`action.arguments.${name}`, value, false]);
      }
    }
    if (step.failurePolicy.recoveryPrompt !== undefined) {
      templates.push(["failurePolicy.recoveryPrompt", step.failurePolicy.recoveryPrompt, true]);
    }
    for (const [field, template, allowsError] of templates) {
      for (const token of references(template)) {
        const message = referenceProblem(token, steps, index, allowsError);
        if (message) problem(field, message);
      }
    }
    planned.push(skill ? { ...step, skill } : step);
  }
  if (problems.length > 0) throw new InvalidChainDefinition(problems);
  return planned;
}

function referenceProblem(
  token: ReferenceToken,
  steps: readonly ChainStep[],
  index: number,
  allowsError: boolean,
): string | null {
  const current = steps[index]?.name ?? "";
  if (token.kind === "name" && token.name === "previous_output" && index === 0) {
    return `${token.raw} in the first step: there is no previous step`;
  }
  if (token.kind === "name" && token.name === "error" && !allowsError) {
    return `${token.raw} is only set in a recovery prompt (write {{error}} for the literal text)`;
  }
  if (token.kind !== "step") return null;
  const target = steps.findIndex((step) => step.name === token.step);
  if (target === -1) return `unknown reference ${token.raw}: no step is named "${token.step}"`;
  if (target >= index) {
    return `unknown reference ${token.raw}: step "${token.step}" does not run before "${current}"`;
  }
  const vars = Object.keys(steps[target]?.outputVars ?? {});
  if (token.variable !== "output" && !vars.includes(token.variable)) {
    const declared =
      vars.length > 0 ? `it declares ${vars.map((v) => `"${v}"`).join(", ")}` : "it declares none";
    return `unknown reference ${token.raw}: step "${token.step}" has no output variable "${token.variable}" (${declared}; {steps.${token.step}.output} is its whole output)`;
  }
  return null;
}

function zodProblem(input: unknown, issue: z.core.$ZodIssue): ChainProblem {
  const [index, ...rest] = issue.path;
  let step: string | null = null;
  if (typeof index === "number" && Array.isArray(input)) {
    const raw: unknown = input[index];
    const name = raw !== null && typeof raw === "object" && "name" in raw ? raw.name : undefined;
    step = typeof name === "string" && name !== "" ? name : `#${index + 1}`;
  }
  const keys = issue.code === "unrecognized_keys" ? issue.keys : [];
  const field = [...rest.map(String), ...keys.slice(0, 1)].join(".") || (step === null ? "steps" : "step");
  const message =
    issue.code === "unrecognized_keys"
      ? `unknown field${keys.length > 1 ? "s" : ""} ${keys.join(", ")}`
      : issue.message;
  return { step, field, message };
}

/** What a step's templates can see at run time. */
export interface ChainScope {
  previousOutput: string | null;
  /** Completed steps: their output and output variables. */
  steps: ReadonlyMap<string, { output: string; vars: Record<string, unknown> }>;
  /** The last failure, for a recovery prompt. */
  error?: string;
}

function chainResolver(scope: ChainScope): (token: ReferenceToken) => string | undefined {
  return (token) => {
    if (token.kind === "name" && token.name === "previous_output") return scope.previousOutput ?? "";
    if (token.kind === "name" && token.name === "error") return scope.error;
    if (token.kind === "step") {
      const step = scope.steps.get(token.step);
      if (!step) return undefined;
      if (Object.hasOwn(step.vars, token.variable)) return formatValue(step.vars[token.variable]);
      return token.variable === "output" ? step.output : undefined;
    }
    return undefined;
  };
}

/** The prompt a step's attempt sends, with its skill and chain references rendered. */
export function renderStepPrompt(step: PlannedStep, scope: ChainScope): string {
  const resolve = chainResolver(scope);
  if (step.action.type === "prompt") return render(step.action.prompt, resolve);
  if (!step.skill)
    throw new InvalidChainDefinition([{ step: step.name, field: "action.skill", message: "not planned" }]);
  const args = Object.fromEntries(
    Object.entries(step.action.arguments).map(([name, value]) => [
      name,
      typeof value === "string" ? render(value, resolve) : value,
    ]),
  );
  return renderSkillPrompt(step.skill, args, { resolveOther: resolve });
}

/** The recovery prompt of a step, with `{error}` set; undefined when the step has none. */
export function renderRecoveryPrompt(
  step: PlannedStep,
  scope: ChainScope & { error: string },
): string | undefined {
  const template = step.failurePolicy.recoveryPrompt;
  return template === undefined ? undefined : render(template, chainResolver(scope));
}

/** The step's Claude settings: the chain's defaults, then the skill's, then the step's own. */
export function stepConfig(step: PlannedStep, chainConfig: ClaudeConfig | undefined): ClaudeConfig {
  return { ...chainConfig, ...step.skill?.config, ...step.config };
}
