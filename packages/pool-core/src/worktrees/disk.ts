import { statfs } from "node:fs/promises";

/** Below this many free bytes a disk counts as full (a write of a file or a git object fails). */
const FULL_BELOW_BYTES = 64 * 1024;

/**
 * "the disk holding <dir> is full (N bytes free)" when the filesystem of `dir` is out of space,
 * else null (also when it cannot be read). A task that failed because its worktree's disk filled
 * up otherwise carries only what the CLI said (often a bare "ENOSPC … write" with no path), and a
 * failed `git worktree add` says "No space left on device" without naming the base dir.
 */
export async function diskFullNote(dir: string): Promise<string | null> {
  try {
    const fs = await statfs(dir);
    const free = fs.bavail * fs.bsize;
    return free < FULL_BELOW_BYTES ? `the disk holding ${dir} is full (${free} bytes free)` : null;
  } catch {
    return null;
  }
}
