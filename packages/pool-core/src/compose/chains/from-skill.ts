import { assertSkillArguments, renderSkillTemplates } from "../skills/render.js";
import type { Skill, SkillArgs } from "../skills/schema.js";
import type { ChainStepInput } from "./schema.js";

/**
 * The chain a chain-scope skill runs: its steps with the skill's arguments rendered in. Chain
 * references (`{previous_output}`, `{steps.a.b}`) stay for the chain to resolve, and argument
 * values that look like them are escaped so they stay literal. The skill's `prompt`, if any,
 * opens the first step. Throws `InvalidSkillArguments` for missing or unknown arguments.
 */
export function chainStepsFromSkill(skill: Skill, args: SkillArgs): ChainStepInput[] {
  assertSkillArguments(skill, args);
  const steps = skill.steps ?? [];
  const templates = steps.flatMap((step) => [step.prompt, step.recoveryPrompt ?? ""]);
  const preamble = skill.prompt.trim();
  if (preamble !== "" && templates.length > 0) templates[0] = `${preamble}\n\n${templates[0]}`;
  const rendered = renderSkillTemplates(skill, templates, args, { forChain: true });
  return steps.map((step, i) => {
    const recoveryPrompt = step.recoveryPrompt === undefined ? undefined : rendered[i * 2 + 1];
    return {
      name: step.name,
      action: { type: "prompt", prompt: rendered[i * 2] ?? step.prompt },
      config: { ...skill.config, ...step.config },
      failurePolicy:
        recoveryPrompt === undefined ? { retries: step.retries } : { retries: step.retries, recoveryPrompt },
      outputVars: step.outputVars,
    };
  });
}
