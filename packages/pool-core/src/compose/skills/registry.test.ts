import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InvalidOptions, SkillNotFound } from "../../domain/errors.js";
import { loadSkillsDir } from "./loader.js";
import { projectSkillsDir, SkillRegistry } from "./registry.js";
import { renderSkillPrompt } from "./render.js";

let tmp: string;
let globalDir: string;
let projectDir: string;

beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), "skills-"));
  globalDir = join(tmp, "home", ".claude-pool", "skills");
  projectDir = join(tmp, "project");
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function write(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}

function skillMd(name: string, body: string, extra = ""): string {
  return `---\nname: ${name}\ndescription: ${name} skill\n${extra}---\n${body}\n`;
}

describe("SkillRegistry sources", () => {
  it("resolves builtin < global < project < runtime", async () => {
    await write(join(globalDir, "code_review", "SKILL.md"), skillMd("code_review", "global review"));
    await write(join(globalDir, "lint", "SKILL.md"), skillMd("lint", "global lint"));
    await write(join(globalDir, "triage", "SKILL.md"), skillMd("triage", "global triage"));
    const project = projectSkillsDir(projectDir);
    await write(join(project, "lint", "SKILL.md"), skillMd("lint", "project lint"));
    await write(join(project, "triage", "SKILL.md"), skillMd("triage", "project triage"));

    const registry = await SkillRegistry.load({ projectDir, globalDir });
    registry.register({ name: "triage", prompt: "runtime triage" });

    expect(registry.problems).toEqual([]);
    expect(registry.get("summarize")).toMatchObject({ source: "builtin" });
    expect(registry.get("code_review")).toMatchObject({ source: "global", prompt: "global review" });
    expect(registry.get("lint")).toMatchObject({ source: "project", prompt: "project lint" });
    expect(registry.get("lint")?.file).toBe(join(project, "lint", "SKILL.md"));
    expect(registry.get("triage")).toMatchObject({ source: "runtime", prompt: "runtime triage" });

    // Removing the runtime override reveals the project skill underneath.
    expect(registry.remove("triage")).toBe(true);
    expect(registry.get("triage")).toMatchObject({ source: "project" });
    expect(registry.remove("triage")).toBe(false);
  });

  it("lists one winning skill per name, filtered by scope or source", async () => {
    const registry = new SkillRegistry({ globalDir: null });
    registry.register({ name: "summarize", prompt: "mine", scope: "coordinator" });
    const names = registry.list().map((s) => s.name);
    expect(names).toEqual([...names].sort());
    expect(names.filter((n) => n === "summarize")).toHaveLength(1);
    expect(registry.list({ scope: "chain" }).map((s) => s.name)).toEqual(["plan_then_execute"]);
    expect(registry.list({ scope: "coordinator" }).map((s) => s.name)).toEqual(["summarize"]);
    expect(registry.list({ source: "runtime" }).map((s) => s.name)).toEqual(["summarize"]);
  });

  it("has the builtins with their arguments and useful prompts", () => {
    const registry = new SkillRegistry({ globalDir: null });
    for (const name of [
      "code_review",
      "implement",
      "write_tests",
      "refactor",
      "summarize",
      "plan_then_execute",
    ]) {
      expect(registry.get(name)?.source).toBe("builtin");
    }
    const prompt = renderSkillPrompt(registry.require("code_review"), { path: "src/pool.ts" });
    expect(prompt).toContain("src/pool.ts");
    expect(prompt).toContain("file:line");
    expect(registry.get("plan_then_execute")?.steps?.map((s) => s.name)).toEqual(["plan", "execute"]);
  });

  it("refuses a malformed runtime skill naming the field, and an unknown name", () => {
    const registry = new SkillRegistry({ globalDir: null });
    expect(() => registry.register({ name: "bad name", prompt: "x" })).toThrow(InvalidOptions);
    expect(() => registry.register({ name: "x", prompt: "x", arguments: [{ name: "error" }] })).toThrow(
      /skill\.arguments\.0\.name/,
    );
    expect(() => registry.register({ name: "x", prompt: "" })).toThrow(/skill\.prompt/);
    expect(() => registry.register({ name: "x", prompt: "$ARGUMENTS[0]" })).toThrow(/declares 0/);
    expect(() => registry.require("nope")).toThrow(SkillNotFound);
  });

  it("picks up edited files on reload and keeps runtime skills", async () => {
    const registry = await SkillRegistry.load({ globalDir });
    registry.register({ name: "mine", prompt: "runtime" });
    expect(registry.get("lint")).toBeUndefined();
    await write(join(globalDir, "lint", "SKILL.md"), skillMd("lint", "Lint it"));
    await registry.reload();
    expect(registry.get("lint")?.prompt).toBe("Lint it");
    expect(registry.get("mine")?.prompt).toBe("runtime");
  });
});

describe("SKILL.md loading", () => {
  it("reads name, description, arguments, config, scope and the body as the prompt", async () => {
    await write(
      join(globalDir, "triage", "SKILL.md"),
      `---
name: triage
description: Triage an issue
arguments:
  - name: issue
    description: The issue text
    required: true
  - name: labels
config:
  model: haiku
  permissionMode: plan
scope: coordinator
---

Triage this issue: {issue}
Allowed labels: {labels}
`,
    );
    const { skills, problems } = await loadSkillsDir(globalDir);
    expect(problems).toEqual([]);
    expect(skills[0]?.skill).toEqual({
      name: "triage",
      description: "Triage an issue",
      prompt: "Triage this issue: {issue}\nAllowed labels: {labels}",
      arguments: [
        { name: "issue", description: "The issue text", required: true },
        { name: "labels", description: "", required: false },
      ],
      config: { model: "haiku", permissionMode: "plan" },
      scope: "coordinator",
    });
  });

  it("reports each malformed file with its field and still loads the good ones", async () => {
    const outside = join(tmp, "outside");
    await write(join(outside, "evil", "SKILL.md"), skillMd("evil", "read secrets"));
    await write(join(outside, "secret.txt"), "secret");
    await write(join(outside, "SKILL.md"), skillMd("linked_file", "escaped"));

    await write(join(globalDir, "good", "SKILL.md"), skillMd("good", "Good prompt"));
    await write(join(globalDir, "bad_yaml", "SKILL.md"), "---\nname: bad_yaml\narguments: [a\n---\nx\n");
    await write(join(globalDir, "no_name", "SKILL.md"), "---\ndescription: nameless\n---\nx\n");
    await write(join(globalDir, "wrong_dir", "SKILL.md"), skillMd("other", "x"));
    await write(join(globalDir, "no_front_matter", "SKILL.md"), "Just a prompt\n");
    await write(join(globalDir, "unclosed", "SKILL.md"), "---\nname: unclosed\n");
    await write(join(globalDir, "bad_scope", "SKILL.md"), skillMd("bad_scope", "x", "scope: everywhere\n"));
    await write(
      join(globalDir, "bad_arg", "SKILL.md"),
      skillMd("bad_arg", "x", "arguments:\n  - description: no name\n"),
    );
    await write(join(globalDir, "typo", "SKILL.md"), skillMd("typo", "x", "argments: []\n"));
    await write(join(globalDir, "empty", "SKILL.md"), skillMd("empty", "   "));
    await write(join(globalDir, "list_yaml", "SKILL.md"), "---\n- a\n- b\n---\nx\n");
    await write(
      join(globalDir, "traversal", "SKILL.md"),
      skillMd("traversal", "", "promptFile: ../../../../outside/secret.txt\n"),
    );
    await mkdir(join(globalDir, "no_file"), { recursive: true });
    await symlink(join(outside, "evil"), join(globalDir, "evil"));
    await mkdir(join(globalDir, "linked_file"), { recursive: true });
    await symlink(join(outside, "SKILL.md"), join(globalDir, "linked_file", "SKILL.md"));
    await write(join(globalDir, "flat.md"), skillMd("flat", "x"));

    const { skills, problems } = await loadSkillsDir(globalDir);
    expect(skills.map((s) => s.skill.name)).toEqual(["good"]);

    const byFile = new Map(problems.map((p) => [p.file.slice(globalDir.length + 1), p]));
    const expectProblem = (file: string, field: string, message: RegExp) =>
      expect(byFile.get(file), file).toMatchObject({ field, message: expect.stringMatching(message) });
    expectProblem("bad_yaml/SKILL.md", "front matter", /invalid YAML at line \d+, column \d+/);
    expectProblem("no_name/SKILL.md", "name", /missing/);
    expectProblem("wrong_dir/SKILL.md", "name", /"other" does not match its directory "wrong_dir"/);
    expectProblem("no_front_matter/SKILL.md", "front matter", /must start with YAML front matter/);
    expectProblem("unclosed/SKILL.md", "front matter", /closing '---'/);
    expectProblem("bad_scope/SKILL.md", "scope", /task|coordinator|chain/);
    expectProblem("bad_arg/SKILL.md", "arguments.0.name", /./);
    expectProblem("typo/SKILL.md", "argments", /unknown field "argments"/);
    expectProblem("empty/SKILL.md", "prompt", /must not be empty/);
    expectProblem("list_yaml/SKILL.md", "front matter", /mapping/);
    expectProblem("traversal/SKILL.md", "promptFile", /outside the skills directory/);
    expectProblem("no_file/SKILL.md", "file", /no SKILL.md/);
    expectProblem("evil", "path", /outside the skills directory/);
    expectProblem("linked_file/SKILL.md", "path", /outside the skills directory/);
    expectProblem("flat.md", "path", /flat\/SKILL.md/);
    expect(problems).toHaveLength(15);
  });

  it("accepts a promptFile and symlinks that stay inside the skills directory", async () => {
    await write(join(globalDir, "shared", "review.txt"), "Shared prompt for {path}");
    await write(
      join(globalDir, "shared", "SKILL.md"),
      skillMd("shared", "", "arguments:\n  - name: path\npromptFile: review.txt\n"),
    );
    await write(join(globalDir, "real", "SKILL.md"), skillMd("alias", "x"));
    await symlink(join(globalDir, "real"), join(globalDir, "alias"));
    const { skills, problems } = await loadSkillsDir(globalDir);
    expect(skills.find((s) => s.skill.name === "shared")?.skill.prompt).toBe("Shared prompt for {path}");
    expect(skills.map((s) => s.skill.name)).toContain("alias");
    // "real" holds a SKILL.md named "alias": reported, while the symlinked copy loads.
    expect(problems.map((p) => p.field)).toEqual(["name"]);
  });

  it("treats a missing directory as holding no skills", async () => {
    expect(await loadSkillsDir(join(tmp, "absent"))).toEqual({ skills: [], problems: [] });
  });
});
