import { describe, expect, it } from "vitest";
import { InvalidSkillArguments } from "../../domain/errors.js";
import { assertSkillArguments, renderSkillPrompt, skillTemplateProblems } from "./render.js";
import { type Skill, type SkillInput, skillSchema } from "./schema.js";

function skill(input: Partial<SkillInput> & { prompt: string }): Skill {
  return skillSchema.parse({ name: "s", ...input });
}

const review = skill({
  prompt: "Review {path} for {focus}.",
  arguments: [
    { name: "path", required: true },
    { name: "focus", default: "bugs" },
  ],
});

describe("skill arguments", () => {
  it("lists every missing required and every unknown argument", () => {
    const error = (() => {
      try {
        assertSkillArguments(review, { pth: "src/", extra: "1" });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InvalidSkillArguments);
    expect(error).toMatchObject({
      code: "INVALID_SKILL_ARGUMENTS",
      skill: "s",
      problems: [
        { argument: "path", problem: "missing" },
        { argument: "pth", problem: "unknown" },
        { argument: "extra", problem: "unknown" },
      ],
    });
    expect(String(error)).toContain('missing argument "path"');
  });

  it("treats a blank required argument as missing and accepts numbers and booleans", () => {
    expect(() => assertSkillArguments(review, { path: "  " })).toThrow(InvalidSkillArguments);
    const counted = skill({ prompt: "Do {n} {flag}", arguments: [{ name: "n" }, { name: "flag" }] });
    assertSkillArguments(counted, { n: 3, flag: true });
    expect(renderSkillPrompt(counted, { n: 3, flag: true })).toBe("Do 3 true");
  });
});

describe("renderSkillPrompt", () => {
  it("substitutes named arguments and defaults", () => {
    expect(renderSkillPrompt(review, { path: "src/" })).toBe("Review src/ for bugs.");
    expect(renderSkillPrompt(review, { path: "src/", focus: "races" })).toBe("Review src/ for races.");
  });

  it("renders $ARGUMENTS as all values and $ARGUMENTS[N] as the Nth declared argument", () => {
    const s = skill({
      prompt: "First: $ARGUMENTS[0]; second: $ARGUMENTS[1]; all: $ARGUMENTS",
      arguments: [{ name: "a", required: true }, { name: "b" }],
    });
    expect(renderSkillPrompt(s, { a: "x", b: "y" })).toBe("First: x; second: y; all: x y");
    expect(renderSkillPrompt(s, { a: "x" })).toBe("First: x; second: ; all: x");
  });

  it("appends the arguments when the template names none", () => {
    const s = skill({ prompt: "Explain this code.", arguments: [{ name: "file" }, { name: "depth" }] });
    expect(renderSkillPrompt(s, { file: "pool.ts" })).toBe(
      "Explain this code.\n\n<arguments>\n<file>\npool.ts\n</file>\n</arguments>",
    );
    expect(renderSkillPrompt(s, {})).toBe("Explain this code.");
  });

  it("keeps an argument value literal even when it looks like a placeholder", () => {
    expect(renderSkillPrompt(review, { path: "{focus} $ARGUMENTS", focus: "x" })).toBe(
      "Review {focus} $ARGUMENTS for x.",
    );
  });

  it("reports $ARGUMENTS[N] beyond the declared arguments as a template problem", () => {
    const s = skill({ prompt: "Use $ARGUMENTS[2]", arguments: [{ name: "a" }] });
    expect(skillTemplateProblems(s)).toEqual([
      { field: "prompt", message: "$ARGUMENTS[2] refers to argument 2, but the skill declares 1" },
    ]);
  });
});
