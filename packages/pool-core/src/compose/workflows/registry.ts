import { z } from "zod";
import { InvalidOptions, InvalidSkillArguments, type SkillArgumentProblem } from "../../domain/errors.js";
import { claudeConfigSchema } from "../../domain/options.js";
import { type ChainProblem, InvalidChainDefinition, planChain, type SkillLookup } from "../chains/plan.js";
import { type ChainStepInput, chainStepsSchema, ISOLATIONS } from "../chains/schema.js";
import { renderSkillTemplates, skillArgumentProblems } from "../skills/render.js";
import { type Skill, type SkillArgs, skillArgumentSchema, skillNameSchema } from "../skills/schema.js";
import { BUILTIN_WORKFLOWS } from "./builtins.js";

/**
 * A workflow: a named chain template. Its steps are chain steps whose prompts, skill arguments
 * and recovery prompts may name the workflow's arguments (`{issue}`, `$ARGUMENTS`) as well as
 * chain references (`{previous_output}`, `{steps.a.b}`).
 */
export const workflowSchema = z.strictObject({
  name: skillNameSchema,
  description: z.string().default(""),
  arguments: z.array(skillArgumentSchema).default([]),
  steps: chainStepsSchema,
  /** Chain options the workflow starts with; the caller's options win. */
  options: z
    .strictObject({
      isolation: z.enum(ISOLATIONS).optional(),
      tags: z.array(z.string().min(1)).optional(),
      config: claudeConfigSchema.optional(),
    })
    .default({}),
});

export type WorkflowInput = z.input<typeof workflowSchema>;
export type Workflow = z.output<typeof workflowSchema>;

/** Missing or unknown workflow arguments; the same code and shape as a skill's. */
export class InvalidWorkflowArguments extends InvalidSkillArguments {
  constructor(
    readonly workflow: string,
    problems: SkillArgumentProblem[],
  ) {
    super(workflow, problems);
    this.message = `invalid arguments for workflow "${workflow}": ${problems.map((p) => `${p.problem} argument "${p.argument}"`).join(", ")}`;
  }
}

/** What starting a workflow submits: chain steps with its arguments in, and its chain options. */
export interface WorkflowInstance {
  workflow: string;
  steps: ChainStepInput[];
  options: Workflow["options"];
}

/**
 * Named workflows (the builtins plus any registered at runtime). Each is checked as a chain when
 * registered (with sample arguments), so a broken reference fails at registration, not mid-run.
 *
 * @example
 * const workflows = new WorkflowRegistry(pool.skills);
 * const { steps, options } = workflows.instantiate("issue_to_pr", { issue: "Crash on empty input" });
 */
export class WorkflowRegistry {
  readonly #workflows = new Map<string, Workflow>();
  readonly #skills: SkillLookup;

  constructor(skills: SkillLookup, options: { builtins?: boolean } = {}) {
    this.#skills = skills;
    if (options.builtins !== false) for (const workflow of BUILTIN_WORKFLOWS) this.register(workflow);
  }

  /** Adds or replaces a workflow; throws `InvalidOptions` or `InvalidChainDefinition` naming the problem. */
  register(input: WorkflowInput): Workflow {
    const parsed = workflowSchema.safeParse(input);
    if (!parsed.success) {
      const [issue] = parsed.error.issues;
      throw new InvalidOptions(
        ["workflow", ...(issue?.path.map(String) ?? [])].join("."),
        input,
        issue?.message ?? "a valid workflow",
      );
    }
    const workflow = parsed.data;
    const sample = Object.fromEntries(workflow.arguments.map((arg) => [arg.name, `<${arg.name}>`]));
    try {
      planChain(renderWorkflowSteps(workflow, sample), this.#skills);
    } catch (error) {
      if (!(error instanceof InvalidChainDefinition)) throw error;
      const problems: ChainProblem[] = error.problems.map((p) => ({
        ...p,
        field: `workflow "${workflow.name}": ${p.field}`,
      }));
      throw new InvalidChainDefinition(problems);
    }
    this.#workflows.set(workflow.name, workflow);
    return workflow;
  }

  get(name: string): Workflow | undefined {
    return this.#workflows.get(name);
  }

  list(): Workflow[] {
    return [...this.#workflows.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  remove(name: string): boolean {
    return this.#workflows.delete(name);
  }

  /**
   * The chain a workflow runs with these arguments. Throws `InvalidWorkflowArguments` listing every
   * missing and unknown argument, or `InvalidOptions` for an unknown workflow.
   */
  instantiate(name: string, args: SkillArgs): WorkflowInstance {
    const workflow = this.#workflows.get(name);
    if (!workflow) {
      throw new InvalidOptions(
        "workflow",
        name,
        `one of ${this.list()
          .map((w) => `"${w.name}"`)
          .join(", ")}`,
      );
    }
    const problems = skillArgumentProblems(asSkill(workflow), args);
    if (problems.length > 0) throw new InvalidWorkflowArguments(name, problems);
    return { workflow: name, steps: renderWorkflowSteps(workflow, args), options: workflow.options };
  }
}

/**
 * Renders the workflow's arguments into every template of its steps, keeping chain references
 * (and escaping look-alikes inside argument values) for the chain to resolve at run time.
 */
function renderWorkflowSteps(workflow: Workflow, args: SkillArgs): ChainStepInput[] {
  const templates: string[] = [];
  const slot = (text: string): number => templates.push(text) - 1;
  const shapes = workflow.steps.map((step) => ({
    step,
    prompt: step.action.type === "prompt" ? slot(step.action.prompt) : null,
    args:
      step.action.type === "skill"
        ? Object.entries(step.action.arguments).map(([key, value]) => ({
            key,
            value,
            index: typeof value === "string" ? slot(value) : null,
          }))
        : [],
    recovery:
      step.failurePolicy.recoveryPrompt === undefined ? null : slot(step.failurePolicy.recoveryPrompt),
  }));
  const rendered = renderSkillTemplates(asSkill(workflow), templates, args, {
    forChain: true,
    appendUnnamed: false,
  });
  const text = (index: number) => rendered[index] ?? "";
  return shapes.map(({ step, prompt, args: stepArgs, recovery }) => ({
    ...step,
    action:
      step.action.type === "prompt"
        ? { type: "prompt", prompt: prompt === null ? step.action.prompt : text(prompt) }
        : {
            type: "skill",
            skill: step.action.skill,
            arguments: Object.fromEntries(
              stepArgs.map(({ key, value, index }) => [key, index === null ? value : text(index)]),
            ),
          },
    failurePolicy: {
      retries: step.failurePolicy.retries,
      ...(recovery === null ? {} : { recoveryPrompt: text(recovery) }),
    },
  }));
}

function asSkill(workflow: Workflow): Skill {
  return {
    name: workflow.name,
    description: workflow.description,
    prompt: "",
    arguments: workflow.arguments,
    scope: "task",
  };
}
