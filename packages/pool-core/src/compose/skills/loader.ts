import { readdir, readFile, realpath, stat } from "node:fs/promises";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { parseDocument } from "yaml";
import type { z } from "zod";
import { skillTemplateProblems } from "./render.js";
import { type Skill, skillSchema } from "./schema.js";

/** A SKILL.md that could not be loaded: which file, which field, and what is wrong with it. */
export interface SkillProblem {
  file: string;
  field: string;
  message: string;
}

export interface LoadedSkill {
  skill: Skill;
  file: string;
}

export interface SkillsDirContents {
  skills: LoadedSkill[];
  problems: SkillProblem[];
}

const SKILL_FILE = "SKILL.md";
/** A prompt is text for a model; anything bigger is a mistake (a binary, a log) not a skill. */
const MAX_SKILL_BYTES = 256 * 1024;

/**
 * Loads every `<dir>/<name>/SKILL.md`. A malformed skill is reported and skipped; the others
 * still load. A missing directory holds no skills and is not a problem.
 *
 * Each skill directory, its SKILL.md and its `promptFile` must resolve (symlinks followed) inside
 * `dir`, so a skills directory cannot be used to read files elsewhere.
 */
export async function loadSkillsDir(dir: string): Promise<SkillsDirContents> {
  const result: SkillsDirContents = { skills: [], problems: [] };
  let root: string;
  try {
    root = await realpath(dir);
  } catch (error) {
    if (isMissing(error)) return result;
    result.problems.push({ file: dir, field: "path", message: describe(error) });
    return result;
  }
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const entryPath = join(dir, entry.name);
    if (entry.isFile()) {
      if (entry.name.toLowerCase().endsWith(".md")) {
        result.problems.push({
          file: entryPath,
          field: "path",
          message: `skills live in <name>/${SKILL_FILE}; move this file to ${join(dir, entry.name.replace(/\.md$/i, ""), SKILL_FILE)}`,
        });
      }
      continue;
    }
    if (!entry.isDirectory() && !entry.isSymbolicLink()) continue;
    if (entry.name.startsWith(".")) continue;
    const loaded = await loadSkillDir(root, entryPath, entry.name);
    if ("skill" in loaded) result.skills.push(loaded);
    else result.problems.push(...loaded.problems);
  }
  return result;
}

async function loadSkillDir(
  root: string,
  skillDir: string,
  dirName: string,
): Promise<LoadedSkill | { problems: SkillProblem[] }> {
  const file = join(skillDir, SKILL_FILE);
  const fail = (field: string, message: string, at = file) => ({ problems: [{ file: at, field, message }] });

  const realDir = await realpath(skillDir).catch(() => null);
  if (realDir === null) return fail("path", "the skill directory is a broken symlink", skillDir);
  if (!(await isDirectory(realDir))) return { problems: [] };
  if (!isInside(root, realDir)) {
    return fail("path", `resolves to ${realDir}, outside the skills directory ${root}`, skillDir);
  }
  let realFile: string;
  try {
    realFile = await realpath(file);
  } catch (error) {
    return fail("file", isMissing(error) ? `no ${SKILL_FILE} in ${skillDir}` : describe(error));
  }
  if (!isInside(root, realFile)) {
    return fail("path", `resolves to ${realFile}, outside the skills directory ${root}`);
  }
  const size = (await stat(realFile)).size;
  if (size > MAX_SKILL_BYTES) return fail("file", `is ${size} bytes; a skill is at most ${MAX_SKILL_BYTES}`);

  const parsed = parseSkillMarkdown(await readFile(realFile, "utf8"));
  if (!parsed.ok) return fail(parsed.field, parsed.message);
  const { frontMatter, body } = parsed;

  if (frontMatter.name === undefined || frontMatter.name === null || frontMatter.name === "") {
    return fail("name", `missing: the front matter must name the skill ("name: ${dirName}")`);
  }
  if (frontMatter.name !== dirName) {
    return fail(
      "name",
      `"${String(frontMatter.name)}" does not match its directory "${dirName}" (a skill lives in .../skills/<name>/${SKILL_FILE})`,
    );
  }

  const { promptFile, ...fields } = frontMatter;
  let prompt = body;
  if (promptFile !== undefined) {
    if (typeof promptFile !== "string" || promptFile === "") {
      return fail("promptFile", "must be a path relative to the skill's directory");
    }
    const target = resolve(realDir, promptFile);
    const realTarget = await realpath(target).catch(() => null);
    if (!isInside(root, realTarget ?? target)) {
      return fail(
        "promptFile",
        `"${promptFile}" resolves to ${realTarget ?? target}, outside the skills directory ${root}`,
      );
    }
    if (realTarget === null) return fail("promptFile", `"${promptFile}" does not exist`);
    if (body.trim() !== "")
      return fail("promptFile", "give the prompt either in the body or in promptFile, not both");
    prompt = await readFile(realTarget, "utf8");
  }

  const checked = skillSchema.safeParse({ ...fields, prompt: prompt.trim() });
  if (!checked.success) {
    return { problems: checked.error.issues.map((issue) => ({ file, ...issueField(issue) })) };
  }
  const templateProblems = skillTemplateProblems(checked.data);
  if (templateProblems.length > 0) return { problems: templateProblems.map((p) => ({ file, ...p })) };
  return { skill: checked.data, file };
}

type ParsedMarkdown =
  | { ok: true; frontMatter: Record<string, unknown>; body: string }
  | { ok: false; field: string; message: string };

/** Splits a SKILL.md into its YAML front matter (a mapping) and its body. */
export function parseSkillMarkdown(text: string): ParsedMarkdown {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  if (lines[0]?.trim() !== "---") {
    return {
      ok: false,
      field: "front matter",
      message: "must start with YAML front matter between '---' lines",
    };
  }
  const close = lines.findIndex((line, i) => i > 0 && line.trim() === "---");
  if (close === -1) return { ok: false, field: "front matter", message: "the closing '---' line is missing" };
  // A leading empty line keeps the YAML parser's line numbers equal to the file's.
  const doc = parseDocument(`\n${lines.slice(1, close).join("\n")}`);
  const [error] = doc.errors;
  if (error) {
    const where = error.linePos ? `line ${error.linePos[0].line}, column ${error.linePos[0].col}: ` : "";
    const message = error.message.split("\n")[0]?.replace(/ at line \d+, column \d+:?$/, "") ?? error.code;
    return { ok: false, field: "front matter", message: `invalid YAML at ${where}${message}` };
  }
  const data: unknown = doc.toJS();
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    return {
      ok: false,
      field: "front matter",
      message: "must be a YAML mapping (name: ..., description: ...)",
    };
  }
  return { ok: true, frontMatter: data as Record<string, unknown>, body: lines.slice(close + 1).join("\n") };
}

function issueField(issue: z.core.$ZodIssue): { field: string; message: string } {
  if (issue.code === "unrecognized_keys") {
    const keys = issue.keys;
    return {
      field: [...issue.path.map(String), ...keys.slice(0, 1)].join(".") || "front matter",
      message: `unknown field${keys.length > 1 ? "s" : ""} ${keys.map((k) => `"${k}"`).join(", ")}`,
    };
  }
  const field = issue.path.map(String).join(".") || "front matter";
  if (issue.code === "invalid_type" && issue.message.endsWith("received undefined")) {
    return { field, message: `missing (expected ${issue.expected})` };
  }
  return { field, message: issue.message };
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== "" && rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path)).isDirectory();
}

function isMissing(error: unknown): boolean {
  return error instanceof Error && "code" in error && error.code === "ENOENT";
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
