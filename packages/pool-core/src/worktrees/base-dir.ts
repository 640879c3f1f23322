import { mkdir, readdir, realpath } from "node:fs/promises";
import path from "node:path";
import { InvalidOptions, WorktreeError } from "../domain/errors.js";
import { isInside } from "./include.js";
import { isOwnerAlive, OWNER_FILE, type OwnerRecord, readOwner } from "./owner.js";

/**
 * Takes the worktree base dir for this process: refused when a live process owns it, when it
 * holds files claude-pool did not make (reconcile would delete them), or when a symlink leads it
 * back to the repository top or above. Returns the earlier owner's record and the real path.
 */
export async function claimBaseDir(
  base: string,
  baseDir: string | undefined,
  repoTop: string,
): Promise<{ previous: OwnerRecord | null; realBase: string }> {
  const previous = await readOwner(base);
  if (previous && isOwnerAlive(previous)) {
    throw new WorktreeError(
      `worktree base dir ${base} is in use by pid ${previous.pid} on ${previous.hostname} ` +
        `(since ${previous.startedAt}); stop that pool, or delete ${path.join(base, OWNER_FILE)} if it is gone`,
    );
  }

  // reconcile() deletes what it does not own under the base dir: never adopt a directory with
  // content that claude-pool did not make (a wrong path, or a symlink to someone's files).
  const existing = await readdir(base).catch(() => null);
  if (!previous && existing && existing.length > 0) {
    throw new WorktreeError(
      `worktree base dir ${base} is not empty and was not made by claude-pool (no ${OWNER_FILE}): ` +
        "pick a new or empty directory (claude-pool removes what it does not own there)",
    );
  }
  await mkdir(base, { recursive: true });
  const realBase = await realpath(base);
  const realTop = await realpath(repoTop);
  // Checked again through symlinks: a link may lead back to the repository or above it.
  if (realBase === realTop || isInside(realTop, realBase)) {
    throw new InvalidOptions(
      "baseDir",
      baseDir,
      "",
      `baseDir ${JSON.stringify(baseDir ?? base)} leads to ${realBase} through a symlink: the repository top or above it cannot hold worktrees`,
    );
  }
  return { previous, realBase };
}
