import { InvalidSkillArguments, type SkillArgumentProblem } from "../../domain/errors.js";
import { escapeChainReferences, type ReferenceToken, references, render } from "../chains/template.js";
import type { Skill, SkillArgs } from "./schema.js";

/** Every missing required and every unknown argument, declared order first, then unknown ones. */
export function skillArgumentProblems(skill: Skill, args: SkillArgs): SkillArgumentProblem[] {
  const problems: SkillArgumentProblem[] = [];
  for (const arg of skill.arguments) {
    const value = args[arg.name];
    const absent = value === undefined || (typeof value === "string" && value.trim() === "");
    if (arg.required && absent) problems.push({ argument: arg.name, problem: "missing" });
  }
  const declared = new Set(skill.arguments.map((arg) => arg.name));
  for (const name of Object.keys(args)) {
    if (!declared.has(name)) problems.push({ argument: name, problem: "unknown" });
  }
  return problems;
}

/** Throws `InvalidSkillArguments` listing each problem; nothing runs with arguments it would ignore. */
export function assertSkillArguments(skill: Skill, args: SkillArgs): void {
  const problems = skillArgumentProblems(skill, args);
  if (problems.length > 0) throw new InvalidSkillArguments(skill.name, problems);
}

/** Problems in a skill's templates that no arguments could fix (reported when a skill is loaded). */
export function skillTemplateProblems(skill: Skill): Array<{ field: string; message: string }> {
  const problems: Array<{ field: string; message: string }> = [];
  const check = (field: string, template: string) => {
    for (const token of references(template)) {
      if (token.kind === "arguments" && token.index !== null && token.index >= skill.arguments.length) {
        problems.push({
          field,
          message: `${token.raw} refers to argument ${token.index}, but the skill declares ${skill.arguments.length}`,
        });
      }
    }
  };
  check("prompt", skill.prompt);
  for (const [i, step] of (skill.steps ?? []).entries()) check(`steps.${i}.prompt`, step.prompt);
  return problems;
}

export interface RenderSkillOptions {
  /**
   * Resolves the placeholders the skill's arguments do not (a chain step's `{previous_output}`,
   * `{steps.a.b}`). Without it they are left as written.
   */
  resolveOther?: (token: ReferenceToken) => string | undefined;
  /** Leave the text ready for a later chain render: escapes kept, chain-like text in values escaped. */
  forChain?: boolean;
  /** Append the arguments when no template names any (default true). */
  appendUnnamed?: boolean;
}

/**
 * Renders a task or coordinator skill's prompt. `{arg}` and `$ARGUMENTS[N]` take one argument,
 * `$ARGUMENTS` all of them; when the template names none, the arguments are appended in tags.
 * Validate the arguments first (`assertSkillArguments`): unknown ones are not rendered.
 *
 * @example
 * renderSkillPrompt(codeReview, { path: "src/" })
 */
export function renderSkillPrompt(skill: Skill, args: SkillArgs, options: RenderSkillOptions = {}): string {
  return renderSkillTemplates(skill, [skill.prompt], args, options)[0] ?? "";
}

/**
 * Renders several templates of one skill (a chain skill's preamble and steps) with its arguments.
 * The "append when named nowhere" rule looks across all of them and appends to the first.
 */
export function renderSkillTemplates(
  skill: Skill,
  templates: readonly string[],
  args: SkillArgs,
  options: RenderSkillOptions = {},
): string[] {
  const values = argumentValues(skill, args, options.forChain === true);
  const declared = skill.arguments.map((arg) => arg.name);
  const namesArguments = templates.some((template) =>
    references(template).some(
      (token) => token.kind === "arguments" || (token.kind === "name" && values.has(token.name)),
    ),
  );
  const resolve = (token: ReferenceToken): string | undefined => {
    if (token.kind === "name" && values.has(token.name)) return values.get(token.name);
    if (token.kind === "arguments") {
      if (token.index === null) {
        return declared
          .map((name) => values.get(name) ?? "")
          .filter((value) => value !== "")
          .join(" ");
      }
      const name = declared[token.index];
      return name === undefined ? undefined : (values.get(name) ?? "");
    }
    return options.resolveOther?.(token);
  };
  const rendered = templates.map((template) =>
    render(template, resolve, { keepEscapes: options.forChain === true }),
  );
  if (!namesArguments && options.appendUnnamed !== false) {
    const given = declared.filter((name) => (values.get(name) ?? "") !== "");
    if (given.length > 0 && rendered.length > 0) {
      const block = given.map((name) => `<${name}>\n${values.get(name) ?? ""}\n</${name}>`).join("\n");
      rendered[0] = `${(rendered[0] ?? "").trimEnd()}\n\n<arguments>\n${block}\n</arguments>`;
    }
  }
  return rendered;
}

function argumentValues(skill: Skill, args: SkillArgs, forChain: boolean): Map<string, string> {
  const values = new Map<string, string>();
  for (const arg of skill.arguments) {
    const given = args[arg.name];
    const value = given === undefined ? (arg.default ?? "") : String(given);
    values.set(arg.name, forChain ? escapeChainReferences(value) : value);
  }
  return values;
}
