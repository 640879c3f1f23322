import { existsSync, lstatSync, readlinkSync, realpathSync } from "node:fs";
import path from "node:path";
import { InvalidOptions } from "./errors.js";

/**
 * Paths a pool's options name (`worktree.baseDir`, `addDirs`) stay inside the pool's working
 * directory when the pool is confined (`confinePaths: true`, which the engine sets for every pool
 * it serves: a team admin must not point a pool at the engine's own files). A path is refused if
 * it is absolute, climbs out with `..`, or reaches outside through a symlink (the deepest part of
 * it that exists is resolved first).
 */
export function assertInside(root: string, value: unknown, field: string): void {
  if (typeof value !== "string") return;
  const expected = `a path relative to the pool's working directory that stays inside it`;
  if (path.isAbsolute(value) || value.includes("\0")) throw new InvalidOptions(field, value, expected);
  const lexical = path.resolve(root, value);
  if (!isWithin(path.resolve(root), lexical)) throw new InvalidOptions(field, value, expected);
  const realRoot = existsSync(root) ? realpathSync(root) : path.resolve(root);
  const real = realOfDeepestExisting(lexical);
  if (!isWithin(realRoot, real)) {
    throw new InvalidOptions(
      field,
      value,
      "",
      `${field} must stay inside the pool's working directory (got ${JSON.stringify(value)}, which leads to ${real} through a symlink)`,
    );
  }
}

/** The same without the file system: absolute and `..`-climbing paths (to check before storing). */
export function assertRelativeInside(value: unknown, field: string): void {
  if (typeof value !== "string") return;
  const root = path.resolve("/", "pool-dir");
  const lexical = path.resolve(root, value);
  if (path.isAbsolute(value) || value.includes("\0") || !isWithin(root, lexical)) {
    throw new InvalidOptions(
      field,
      value,
      "a path relative to the pool's working directory that stays inside it",
    );
  }
}

/** Checks every entry of a list (`addDirs`), naming the entry: `config.addDirs.1`. */
export function assertAllInside(root: string, values: readonly unknown[] | undefined, field: string): void {
  for (const [i, v] of (values ?? []).entries()) assertInside(root, v, `${field}.${i}`);
}

function isWithin(root: string, p: string): boolean {
  const relative = path.relative(root, p);
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}

/** `p` with its deepest existing ancestor resolved through symlinks (the rest appended as is). */
function realOfDeepestExisting(p: string): string {
  let existing = p;
  const rest: string[] = [];
  while (!lexists(existing)) {
    const parent = path.dirname(existing);
    if (parent === existing) break;
    rest.unshift(path.basename(existing));
    existing = parent;
  }
  try {
    return path.join(realpathSync(existing), ...rest);
  } catch {
    // A dangling symlink: judged by where it points.
    return path.resolve(path.dirname(existing), readlinkSync(existing), ...rest);
  }
}

function lexists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}
