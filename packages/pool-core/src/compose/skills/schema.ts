import { z } from "zod";
import { claudeConfigSchema } from "../../domain/options.js";
import { RESERVED_NAMES } from "../chains/template.js";

export const SKILL_SCOPES = ["task", "coordinator", "chain"] as const;
/**
 * - `task`: runs as one task.
 * - `coordinator`: written for a coordinating session (a person or a Claude session driving the
 *   pool through MCP); it also runs as one task, and is listed apart so a coordinator can find it.
 * - `chain`: runs as a chain of `steps` in one Claude session.
 */
export type SkillScope = (typeof SKILL_SCOPES)[number];

export const SKILL_SOURCES = ["builtin", "global", "project", "runtime"] as const;
/** Where a skill came from; a later source overrides an earlier one with the same name. */
export type SkillSource = (typeof SKILL_SOURCES)[number];

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;
const ARGUMENT_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export const skillNameSchema = z
  .string()
  .max(64, "at most 64 characters")
  .regex(NAME, "letters, digits, '_' and '-' only, not starting with '-'");

export const skillArgumentSchema = z.strictObject({
  name: z
    .string()
    .regex(ARGUMENT_NAME, "letters, digits, '_' and '-' only, starting with a letter or '_'")
    .refine((name) => !(RESERVED_NAMES as readonly string[]).includes(name), {
      message: `is reserved for chains (${RESERVED_NAMES.join(", ")})`,
    }),
  description: z.string().default(""),
  required: z.boolean().default(false),
  /** Used when the argument is optional and not given. */
  default: z.string().optional(),
});

export const skillStepSchema = z.strictObject({
  name: z.string().regex(NAME, "letters, digits, '_' and '-' only"),
  prompt: z.string().trim().min(1, "must not be empty"),
  config: claudeConfigSchema.optional(),
  outputVars: z.record(z.string(), z.string()).default({}),
  retries: z.number().int().min(0).max(10).default(0),
  recoveryPrompt: z.string().optional(),
});

export const skillSchema = z
  .strictObject({
    name: skillNameSchema,
    description: z.string().default(""),
    /** The prompt template; for a chain skill, an optional preamble for its first step. */
    prompt: z.string().default(""),
    arguments: z.array(skillArgumentSchema).default([]),
    config: claudeConfigSchema.optional(),
    scope: z.enum(SKILL_SCOPES).default("task"),
    steps: z.array(skillStepSchema).optional(),
  })
  .superRefine((skill, ctx) => {
    const seen = new Set<string>();
    for (const [i, arg] of skill.arguments.entries()) {
      if (seen.has(arg.name)) {
        ctx.addIssue({
          code: "custom",
          path: ["arguments", i, "name"],
          message: `duplicate argument "${arg.name}"`,
        });
      }
      seen.add(arg.name);
    }
    if (skill.scope === "chain") {
      if (!skill.steps || skill.steps.length === 0) {
        ctx.addIssue({ code: "custom", path: ["steps"], message: "a chain skill needs at least one step" });
      }
    } else {
      if (skill.steps) {
        ctx.addIssue({
          code: "custom",
          path: ["steps"],
          message: `only a chain skill has steps (scope is "${skill.scope}")`,
        });
      }
      if (skill.prompt.trim() === "") {
        ctx.addIssue({ code: "custom", path: ["prompt"], message: "must not be empty" });
      }
    }
  });

export type SkillArgument = z.output<typeof skillArgumentSchema>;
export type SkillStep = z.output<typeof skillStepSchema>;
/** A skill as given to `register` (defaults may be omitted). */
export type SkillInput = z.input<typeof skillSchema>;
/** A validated skill with its defaults filled in. */
export type Skill = z.output<typeof skillSchema>;

/** A skill as the registry hands it out: which source it came from and, if loaded, its file. */
export type RegisteredSkill = Skill & { source: SkillSource; file?: string };

/** Skill arguments are strings; numbers and booleans from JSON callers are accepted and stringified. */
export type SkillArgs = Readonly<Record<string, string | number | boolean>>;
