import { homedir } from "node:os";
import { join } from "node:path";
import { InvalidOptions, SkillNotFound } from "../../domain/errors.js";
import { BUILTIN_SKILLS } from "./builtins.js";
import { loadSkillsDir, type SkillProblem } from "./loader.js";
import { skillTemplateProblems } from "./render.js";
import {
  type RegisteredSkill,
  SKILL_SOURCES,
  type SkillInput,
  type SkillScope,
  type SkillSource,
  skillSchema,
} from "./schema.js";

export interface SkillRegistryOptions {
  /** The project whose `.claude-pool/skills` is loaded; omit for none. */
  projectDir?: string;
  /** Directory of global skills; defaults to `~/.claude-pool/skills`. `null` loads none. */
  globalDir?: string | null;
  /** Include the builtin skills (default true). */
  builtins?: boolean;
}

export interface SkillListQuery {
  scope?: SkillScope;
  source?: SkillSource;
}

/** `~/.claude-pool/skills` */
export function defaultGlobalSkillsDir(): string {
  return join(homedir(), ".claude-pool", "skills");
}

/** `<project>/.claude-pool/skills` */
export function projectSkillsDir(projectDir: string): string {
  return join(projectDir, ".claude-pool", "skills");
}

/**
 * Skills from four sources, a later one overriding an earlier one of the same name:
 * builtin < global (`~/.claude-pool/skills`) < project (`.claude-pool/skills`) < runtime.
 *
 * @example
 * const skills = await SkillRegistry.load({ projectDir: process.cwd() });
 * for (const p of skills.problems) console.warn(`${p.file}: ${p.field}: ${p.message}`);
 * skills.register({ name: "triage", prompt: "Triage {issue}", arguments: [{ name: "issue", required: true }] });
 */
export class SkillRegistry {
  readonly #layers = new Map<SkillSource, Map<string, RegisteredSkill>>(
    SKILL_SOURCES.map((source) => [source, new Map()]),
  );
  #options: SkillRegistryOptions;
  #problems: SkillProblem[] = [];

  /** An empty registry (builtins included unless disabled); call `reload` to read skill directories. */
  constructor(options: SkillRegistryOptions = {}) {
    this.#options = options;
    if (options.builtins !== false) {
      for (const skill of BUILTIN_SKILLS) this.register(skill, "builtin");
    }
  }

  /** Creates a registry and loads the global and project skill directories. */
  static async load(options: SkillRegistryOptions = {}): Promise<SkillRegistry> {
    const registry = new SkillRegistry(options);
    await registry.reload();
    return registry;
  }

  /** Malformed skill files found by the last load, each with its file and field. */
  get problems(): readonly SkillProblem[] {
    return this.#problems;
  }

  /** Re-reads the global and project directories (builtin and runtime skills are kept). */
  async reload(): Promise<void> {
    const problems: SkillProblem[] = [];
    const globalDir =
      this.#options.globalDir === undefined ? defaultGlobalSkillsDir() : this.#options.globalDir;
    const dirs: Array<[SkillSource, string | null]> = [
      ["global", globalDir],
      ["project", this.#options.projectDir === undefined ? null : projectSkillsDir(this.#options.projectDir)],
    ];
    for (const [source, dir] of dirs) {
      const layer = new Map<string, RegisteredSkill>();
      if (dir !== null) {
        const loaded = await loadSkillsDir(dir);
        for (const { skill, file } of loaded.skills) layer.set(skill.name, { ...skill, source, file });
        problems.push(...loaded.problems);
      }
      this.#layers.set(source, layer);
    }
    this.#problems = problems;
  }

  /**
   * Adds or replaces a skill in a source (runtime by default). Throws `InvalidOptions` naming the
   * field when the skill is malformed.
   */
  register(skill: SkillInput, source: SkillSource = "runtime"): RegisteredSkill {
    const checked = skillSchema.safeParse(skill);
    if (!checked.success) {
      const [issue] = checked.error.issues;
      const path = issue ? issue.path.map(String) : [];
      throw new InvalidOptions(
        ["skill", ...path].join("."),
        valueAt(skill, path),
        issue?.message ?? "a valid skill",
      );
    }
    const [templateProblem] = skillTemplateProblems(checked.data);
    if (templateProblem) {
      throw new InvalidOptions(
        `skill.${templateProblem.field}`,
        checked.data.prompt,
        templateProblem.message,
      );
    }
    const registered: RegisteredSkill = { ...checked.data, source };
    this.#layer(source).set(registered.name, registered);
    return registered;
  }

  /** The skill that wins for this name, or undefined. */
  get(name: string): RegisteredSkill | undefined {
    for (const source of [...SKILL_SOURCES].reverse()) {
      const skill = this.#layer(source).get(name);
      if (skill) return skill;
    }
    return undefined;
  }

  /** Like `get`, but throws `SkillNotFound`. */
  require(name: string): RegisteredSkill {
    const skill = this.get(name);
    if (!skill) throw new SkillNotFound(name);
    return skill;
  }

  /** The winning skill of each name, sorted by name, optionally filtered by scope or source. */
  list(query: SkillListQuery = {}): RegisteredSkill[] {
    const names = new Set(SKILL_SOURCES.flatMap((source) => [...this.#layer(source).keys()]));
    return [...names]
      .sort()
      .map((name) => this.get(name))
      .filter((skill): skill is RegisteredSkill => skill !== undefined)
      .filter((skill) => query.scope === undefined || skill.scope === query.scope)
      .filter((skill) => query.source === undefined || skill.source === query.source);
  }

  /**
   * Removes a skill from one source (runtime by default), revealing the one it overrode, if any.
   * Returns whether there was one to remove. A removed file-backed skill returns on `reload`.
   */
  remove(name: string, source: SkillSource = "runtime"): boolean {
    return this.#layer(source).delete(name);
  }

  #layer(source: SkillSource): Map<string, RegisteredSkill> {
    let layer = this.#layers.get(source);
    if (!layer) {
      layer = new Map();
      this.#layers.set(source, layer);
    }
    return layer;
  }
}

function valueAt(root: unknown, path: readonly string[]): unknown {
  let value = root;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}
