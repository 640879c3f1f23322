import { lstat, readdir, readFile, realpath } from "node:fs/promises";
import path from "node:path";
import { WorktreeError } from "../domain/errors.js";

export const INCLUDE_FILE = ".worktreeinclude";
/** Directories a `**` in `.worktreeinclude` does not descend into. */
const GLOBSTAR_SKIP = new Set([".git", "node_modules", ".claude-pool"]);

/**
 * Reads `.worktreeinclude` and returns the matching paths (relative to `repoTop`, existing in the
 * main checkout). Throws `WorktreeError` for an entry that would leave the repository.
 */
export async function expandWorktreeInclude(repoTop: string, baseDir: string): Promise<string[]> {
  const text = await readFile(path.join(repoTop, INCLUDE_FILE), "utf8").catch(() => "");
  const matches = new Set<string>();
  const lines = text.split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    const entry = raw.trim();
    if (entry === "" || entry.startsWith("#")) continue;
    const refuse = (why: string) =>
      new WorktreeError(`${INCLUDE_FILE} line ${index + 1}: refusing "${entry}": ${why}`);
    if (path.isAbsolute(entry) || /^[A-Za-z]:/.test(entry)) throw refuse("absolute paths are not allowed");
    const normalized = path.posix.normalize(entry.replaceAll("\\", "/")).replace(/\/+$/, "");
    if (normalized === ".." || normalized.startsWith("../")) throw refuse(`it is outside ${repoTop}`);
    const segments = normalized.split("/").filter((segment) => segment !== "" && segment !== ".");
    if (segments.length === 0) throw refuse("it names the whole repository");
    if (segments[0] === ".git") throw refuse("it is inside .git");
    for (const relative of await expandSegments(repoTop, baseDir, "", segments)) {
      // A symlinked directory on the way may point outside the repository.
      const parent = await realpath(path.join(repoTop, path.dirname(relative)));
      if (parent !== repoTop && !isInside(parent, repoTop))
        throw refuse(`${relative} resolves outside ${repoTop}`);
      matches.add(relative);
    }
  }
  // Copy a directory before anything inside it, and each path once.
  return [...matches]
    .sort()
    .filter(
      (candidate, _, all) => !all.some((other) => other !== candidate && isInside(candidate, other, "/")),
    );
}

async function expandSegments(
  repoTop: string,
  baseDir: string,
  prefix: string,
  segments: string[],
): Promise<string[]> {
  const [segment, ...rest] = segments;
  if (segment === undefined) return prefix === "" ? [] : [prefix];
  const join = (name: string) => (prefix === "" ? name : `${prefix}/${name}`);
  const dir = path.join(repoTop, prefix);

  if (segment === "**") {
    const results = await expandSegments(repoTop, baseDir, prefix, rest);
    for (const entry of await readDirEntries(dir)) {
      const child = path.join(dir, entry.name);
      if (!entry.isDirectory() || GLOBSTAR_SKIP.has(entry.name) || child === baseDir) continue;
      if (await lstat(path.join(child, ".git")).catch(() => null)) continue; // nested repository
      results.push(...(await expandSegments(repoTop, baseDir, join(entry.name), segments)));
    }
    return results;
  }
  if (!/[*?[]/.test(segment)) {
    const exists = await lstat(path.join(dir, segment)).catch(() => null);
    if (!exists) return [];
    return expandSegments(repoTop, baseDir, join(segment), rest);
  }
  const pattern = globSegmentToRegExp(segment);
  const results: string[] = [];
  for (const entry of await readDirEntries(dir)) {
    if (entry.name === ".git" || !pattern.test(entry.name)) continue;
    if (rest.length > 0 && !entry.isDirectory()) continue;
    results.push(...(await expandSegments(repoTop, baseDir, join(entry.name), rest)));
  }
  return results;
}

async function readDirEntries(dir: string) {
  return readdir(dir, { withFileTypes: true }).catch(() => []);
}

function globSegmentToRegExp(segment: string): RegExp {
  let source = "";
  for (let i = 0; i < segment.length; i++) {
    const char = segment.charAt(i);
    if (char === "*") source += "[^/]*";
    else if (char === "?") source += "[^/]";
    else if (char === "[") {
      const end = segment.indexOf("]", i + 2);
      if (end === -1) {
        source += "\\[";
        continue;
      }
      let body = segment.slice(i + 1, end);
      if (body.startsWith("!")) body = `^${body.slice(1)}`;
      source += `[${body.replaceAll("\\", "\\\\")}]`;
      i = end;
    } else source += char.replace(/[.+^${}()|\\\]]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}

/** Whether `child` is strictly inside `parent`. */
export function isInside(child: string, parent: string, sep: string = path.sep): boolean {
  return child.startsWith(parent.endsWith(sep) ? parent : `${parent}${sep}`);
}
