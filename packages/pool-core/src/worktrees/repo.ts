import { mkdir, readFile, realpath, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { type SimpleGit, simpleGit } from "simple-git";
import { WorktreeError } from "../domain/errors.js";

/** The real path of the work tree's top; refuses a non-directory, a non-repository and a repository without a commit. */
export async function findRepoTop(dir: string): Promise<string> {
  const notInside = `worktree: true needs a git repository: ${dir} is not inside one`;
  const info = await stat(dir).catch(() => null);
  if (!info?.isDirectory()) {
    throw new WorktreeError(`worktree: true needs a git repository: ${dir} is not a directory`);
  }
  const git = simpleGit({ baseDir: dir });
  let inside: string;
  try {
    inside = (await git.raw(["rev-parse", "--is-inside-work-tree"])).trim();
  } catch (error) {
    if (/not a git repository/i.test(errorMessage(error))) throw new WorktreeError(notInside);
    throw new WorktreeError(`could not run git in ${dir}: ${errorMessage(error)}`, { cause: error });
  }
  if (inside !== "true") throw new WorktreeError(notInside);
  const top = await realpath((await git.revparse(["--show-toplevel"])).trim());
  // Not `--quiet`: simple-git only treats a failed command as an error when it wrote to stderr.
  const head = await git.raw(["rev-parse", "--verify", "HEAD^{commit}"]).catch(() => "");
  if (!/^[0-9a-f]{40,64}$/.test(head.trim())) {
    throw new WorktreeError(`worktree: true needs a git repository: ${top} has no commit yet`);
  }
  return top;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message.trim() : String(error);
}

export interface ListedWorktree {
  path: string;
  branch: string | null;
}

/** `git worktree list`, parsed: every worktree's absolute path and its branch ref. */
export async function listWorktrees(git: SimpleGit): Promise<ListedWorktree[]> {
  const output = await git.raw(["worktree", "list", "--porcelain"]);
  const worktrees: ListedWorktree[] = [];
  for (const block of output.split(/\n\n+/)) {
    let worktreePath: string | null = null;
    let branch: string | null = null;
    for (const line of block.split("\n")) {
      if (line.startsWith("worktree ")) worktreePath = line.slice("worktree ".length);
      else if (line.startsWith("branch ")) branch = line.slice("branch ".length);
    }
    if (worktreePath !== null) worktrees.push({ path: path.resolve(worktreePath), branch });
  }
  return worktrees;
}

/** Local branches under `prefix` (short names). */
export async function listBranches(git: SimpleGit, prefix: string): Promise<string[]> {
  const output = await git.raw(["for-each-ref", "--format=%(refname:short)", `refs/heads/${prefix}`]);
  return output.split("\n").filter((line) => line !== "");
}

/** Makes git ignore `baseDir` in the main checkout, via the repository's `info/exclude` (never `.gitignore`). */
export async function excludeFromCheckout(
  repoTop: string,
  baseDir: string,
  commonDir: string,
): Promise<void> {
  const relative = path.relative(repoTop, baseDir);
  if (relative.startsWith("..") || path.isAbsolute(relative)) return;
  const [first] = relative.split(path.sep);
  // The default base dirs all live under `.claude-pool/`: one pattern covers every pool.
  const pattern = first === ".claude-pool" ? "/.claude-pool/" : `/${relative.split(path.sep).join("/")}/`;
  const excludeFile = path.join(commonDir, "info", "exclude");
  const current = await readFile(excludeFile, "utf8").catch(() => "");
  if (current.split(/\r?\n/).some((line) => line.trim() === pattern)) return;
  await mkdir(path.dirname(excludeFile), { recursive: true });
  const separator = current === "" || current.endsWith("\n") ? "" : "\n";
  await writeFile(excludeFile, `${current}${separator}# claude-pool worktrees\n${pattern}\n`);
}
