import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ClaudeCliNotFound, InvalidOptions } from "./domain/errors.js";

/** This package's directory: its own `node_modules/.bin` holds the dev dependency `claude`. */
const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/**
 * Checks `claude.cwd` (when given: an existing directory) and resolves `claude.bin` to an
 * executable file, so a bad value fails `Pool.create` naming the option, not the first task.
 *
 * A bare name (`claude`) is looked up like a shell would on `PATH`, then in `node_modules/.bin`
 * of `cwd` and of its parents (as `pnpm exec`/`npx` would), then of this package and its parents:
 * inside this workspace the `claude` that `pnpm install` put under packages/pool-core counts as
 * found. A path (anything with a `/`) is taken as it is. Throws ClaudeCliNotFound when nothing
 * is found, InvalidOptions when what is there is not an executable file.
 */
export async function resolveClaudeBin(
  bin: string,
  env: Record<string, string | undefined>,
  cwd?: string,
): Promise<string> {
  if (cwd !== undefined) await checkCwd(cwd);
  if (bin.includes("/")) {
    const file = path.resolve(bin);
    const problem = await executableProblem(file);
    if (problem === "missing") throw new ClaudeCliNotFound(bin);
    if (problem) throw new InvalidOptions("options.claude.bin", bin, `an executable file (${problem})`);
    return file;
  }
  for (const dir of searchDirs(env, cwd ?? process.cwd())) {
    const candidate = path.join(dir, bin);
    if ((await executableProblem(candidate)) === null) return candidate;
  }
  throw new ClaudeCliNotFound(bin);
}

async function checkCwd(cwd: string): Promise<void> {
  const s = await stat(cwd).catch(() => null);
  if (!s) throw new InvalidOptions("options.claude.cwd", cwd, "an existing directory (it does not exist)");
  if (!s.isDirectory()) {
    throw new InvalidOptions("options.claude.cwd", cwd, "an existing directory (it is not a directory)");
  }
}

/** null when `file` is an executable regular file; otherwise what is wrong with it. */
async function executableProblem(file: string): Promise<string | null> {
  const s = await stat(file).catch(() => null);
  if (!s) return "missing";
  if (s.isDirectory()) return "it is a directory";
  if (!s.isFile()) return "it is not a regular file";
  try {
    await access(file, constants.X_OK);
    return null;
  } catch {
    return "it is not executable";
  }
}

function searchDirs(env: Record<string, string | undefined>, cwd: string): string[] {
  const onPath = (env.PATH ?? "").split(path.delimiter).filter(Boolean);
  return [...onPath, ...binDirsUp(path.resolve(cwd)), ...binDirsUp(PACKAGE_DIR)];
}

function binDirsUp(start: string): string[] {
  const dirs: string[] = [];
  for (let dir = start; ; dir = path.dirname(dir)) {
    dirs.push(path.join(dir, "node_modules", ".bin"));
    if (path.dirname(dir) === dir) return dirs;
  }
}
