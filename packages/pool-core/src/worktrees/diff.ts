import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
/** A patch is read whole up to here; stores keep at most 1 MB of it, marked truncated past that. */
const MAX_PATCH_READ = 64 * 1024 * 1024;

export interface WorktreeChange {
  files: Array<{ path: string; additions: number; deletions: number; binary: boolean }>;
  patch: string;
}

/**
 * The tree of a worktree as it is now, tracked and untracked files alike (`.gitignore` applies),
 * written as a git tree object through a private index: the worktree, its index and its branch
 * are left as they were. Two snapshots, before and after a task, give what the task changed.
 */
export async function snapshotTree(worktree: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "claude-pool-index-"));
  const env = { ...process.env, GIT_INDEX_FILE: path.join(dir, "index") };
  try {
    await git(worktree, ["read-tree", "HEAD"], env);
    await git(worktree, ["add", "--all", "--", "."], env);
    return (await git(worktree, ["write-tree"], env)).trim();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Files changed between two snapshots, with line counts, and the unified patch (binary files marked). */
export async function diffTrees(worktree: string, before: string, after: string): Promise<WorktreeChange> {
  if (before === after) return { files: [], patch: "" };
  const numstat = await git(worktree, ["diff", "--no-renames", "--numstat", "-z", before, after]);
  const files: WorktreeChange["files"] = [];
  for (const record of numstat.split("\0")) {
    const match = /^(-|\d+)\t(-|\d+)\t(.+)$/s.exec(record.replace(/^\n/, ""));
    if (!match) continue;
    const [, added = "-", deleted = "-", file = ""] = match;
    const binary = added === "-" && deleted === "-";
    files.push({
      path: file,
      additions: binary ? 0 : Number(added),
      deletions: binary ? 0 : Number(deleted),
      binary,
    });
  }
  const patch = await git(worktree, ["diff", "--no-renames", "--no-color", before, after]);
  return { files, patch };
}

async function git(cwd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<string> {
  const { stdout } = await run("git", args, { cwd, env, maxBuffer: MAX_PATCH_READ, encoding: "utf8" });
  return stdout;
}
