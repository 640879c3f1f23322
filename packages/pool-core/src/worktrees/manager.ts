/**
 * Git worktrees for `worktree: true` pools: each slot (and each chain) works in its own
 * `git worktree` on its own branch, so parallel sessions never share a checkout.
 *
 * Layout and names:
 * - worktrees live in `baseDir` (default `<repo top>/.claude-pool/worktrees/<poolId>`), which is
 *   added to `.git/info/exclude` (never to the user's `.gitignore`) so the main checkout stays clean;
 * - slot `s` → directory `<baseDir>/s`, branch `claude-pool/<poolId>/s`;
 *   chain `c` → directory `<baseDir>/chain-c`, branch `claude-pool/<poolId>/chain-c`.
 *
 * Invariants:
 * - `open()` validates the repository (a work tree with at least one commit) before it creates
 *   anything, and refuses a base dir that a live process still owns.
 * - `<baseDir>/.owner.json` records the owner (pid, hostname, start time) and which worktrees are
 *   slots and which are chains. A worktree under `baseDir` that the current owner does not record
 *   was left by a crashed run and is removed by `reconcile()`.
 * - Chain worktrees are kept for review: `removeAll()` and `reconcile()` keep them (also those
 *   inherited from an earlier run) unless called with `{ includeChains: true }`.
 * - Every git call of every manager on the same repository goes through one promise chain: git's
 *   index and ref locks fail instead of waiting when two commands overlap.
 *
 * `.worktreeinclude` (in the repository root): one path or glob per line (`*`, `?`, `[...]`, `**`),
 * `#` comments and blank lines ignored. Matching files and directories of the main checkout are
 * copied into each new worktree; typically untracked files such as `.env`. Entries that leave the
 * repository (`../x`, absolute paths, paths through a symlink pointing outside) or point into
 * `.git` are refused with a `WorktreeError` before the worktree is created. `**` does not descend
 * into `.git`, `node_modules`, `.claude-pool` or nested repositories; name those explicitly.
 *
 * @example
 * const worktrees = await WorktreeManager.open({ repoDir: process.cwd(), poolId: "p1" });
 * await worktrees.reconcile();
 * const { path, branch } = await worktrees.createSlotWorktree("slot-1");
 * // … run the session with cwd = path …
 * await worktrees.removeAll(); // on drain; chain worktrees stay for review
 */
import { cp, mkdir, readdir, rm, rmdir, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import path from "node:path";
import { type SimpleGit, simpleGit } from "simple-git";
import { InvalidOptions, WorktreeError } from "../domain/errors.js";
import { claimBaseDir } from "./base-dir.js";
import { diskFullNote } from "./disk.js";
import { expandWorktreeInclude, INCLUDE_FILE, isInside } from "./include.js";
import {
  assertRefSafeId,
  isOwnerAlive,
  isRefSafeId,
  OWNER_FILE,
  type OwnerRecord,
  readOwner,
} from "./owner.js";
import { errorMessage, excludeFromCheckout, findRepoTop, listBranches, listWorktrees } from "./repo.js";

export interface WorktreeManagerOptions {
  /** Any directory inside the repository's work tree. */
  repoDir: string;
  /** Where the worktrees go; relative paths are resolved against the repository top. */
  baseDir?: string;
  /** Names the branches (`claude-pool/<poolId>/…`) and the default base dir. */
  poolId: string;
}

export interface Worktree {
  path: string;
  branch: string;
}

export interface RemoveAllOptions {
  /** Also remove chain worktrees and their branches (kept for review by default). */
  includeChains?: boolean;
}

export interface ReconcileResult {
  /** Paths of leftover worktrees (or stray directories) removed from the base dir. */
  removedWorktrees: string[];
  /** Leftover `claude-pool/<poolId>/…` branches deleted. */
  deletedBranches: string[];
  /** Leftover branches that git refused to delete (e.g. checked out outside the base dir). */
  keptBranches: string[];
}

const BRANCH_ROOT = "claude-pool";
const CHAIN_PREFIX = "chain-";

/** One promise chain per repository (keyed by its common git dir), shared by all managers. */
const gitChains = new Map<string, Promise<unknown>>();

export class WorktreeManager {
  readonly poolId: string;
  /** Top of the main checkout's work tree (real path). */
  readonly repoTop: string;
  /** Real path of the directory holding this pool's worktrees. */
  readonly baseDir: string;
  readonly #git: SimpleGit;
  readonly #commonDir: string;
  readonly #owner: Pick<OwnerRecord, "pid" | "hostname" | "startedAt">;
  readonly #slots = new Set<string>();
  readonly #chains = new Set<string>();

  private constructor(poolId: string, repoTop: string, baseDir: string, git: SimpleGit, commonDir: string) {
    this.poolId = poolId;
    this.repoTop = repoTop;
    this.baseDir = baseDir;
    this.#git = git;
    this.#commonDir = commonDir;
    this.#owner = { pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString() };
  }

  /**
   * Checks the repository, claims the base dir and makes git ignore it. Throws `WorktreeError` if
   * `repoDir` is not inside a git work tree, has no commit, or the base dir is owned by a live process.
   */
  static async open(options: WorktreeManagerOptions): Promise<WorktreeManager> {
    const { repoDir, baseDir, poolId } = options;
    if (typeof repoDir !== "string" || repoDir === "") {
      throw new InvalidOptions("repoDir", repoDir, "a directory path");
    }
    if (baseDir !== undefined && (typeof baseDir !== "string" || baseDir === "")) {
      throw new InvalidOptions("baseDir", baseDir, "a directory path or undefined");
    }
    assertRefSafeId("poolId", poolId);

    const repoTop = await findRepoTop(path.resolve(repoDir));
    const git = simpleGit({ baseDir: repoTop });
    const commonDir = path.resolve(repoTop, (await git.revparse(["--git-common-dir"])).trim());
    const base = path.resolve(repoTop, baseDir ?? path.join(".claude-pool", "worktrees", poolId));
    if (base === repoTop || isInside(repoTop, base)) {
      throw new InvalidOptions("baseDir", baseDir, "a directory that is not the repository top or above it");
    }

    const { previous, realBase } = await claimBaseDir(base, baseDir, repoTop);
    const manager = new WorktreeManager(poolId, repoTop, realBase, git, commonDir);
    // Chains of an earlier run stay for review: adopt them so that reconcile() keeps them.
    for (const chainId of previous?.chains ?? []) {
      if (isRefSafeId(chainId)) manager.#chains.add(chainId);
    }
    await manager.#serialize(async () => {
      await excludeFromCheckout(manager.repoTop, manager.baseDir, manager.#commonDir);
      await manager.#writeOwner();
    });
    return manager;
  }

  /**
   * Removes what a crashed earlier run left: worktrees and stray directories under the base dir
   * and `claude-pool/<poolId>/…` branches that this manager does not own, then prunes git's
   * worktree list. Chains (also adopted ones) are kept unless `includeChains`.
   */
  async reconcile(options: RemoveAllOptions = {}): Promise<ReconcileResult> {
    return this.#serialize(async () => {
      const result: ReconcileResult = { removedWorktrees: [], deletedBranches: [], keptBranches: [] };
      if (options.includeChains) {
        for (const chainId of this.#chains) await this.#removeWorktree(chainName(chainId));
        this.#chains.clear();
      }
      const owned = this.#ownedNames();

      for (const worktree of await listWorktrees(this.#git)) {
        const name = this.#nameUnderBase(worktree.path);
        if (name === null || owned.has(name)) continue;
        await this.#forceRemove(worktree.path);
        result.removedWorktrees.push(worktree.path);
      }
      // Directories of a `worktree add` interrupted half-way, or of worktrees git already forgot.
      for (const entry of await readdir(this.baseDir).catch(() => [])) {
        const entryPath = path.join(this.baseDir, entry);
        if (entry === OWNER_FILE || owned.has(entry) || result.removedWorktrees.includes(entryPath)) continue;
        await rm(entryPath, { recursive: true, force: true });
        result.removedWorktrees.push(entryPath);
      }
      await this.#git.raw(["worktree", "prune"]);

      for (const branch of await listBranches(this.#git, this.#branchPrefix())) {
        if (owned.has(branch.slice(this.#branchPrefix().length))) continue;
        try {
          await this.#git.raw(["branch", "-D", branch]);
          result.deletedBranches.push(branch);
        } catch {
          result.keptBranches.push(branch);
        }
      }
      await this.#writeOwner();
      return result;
    });
  }

  /** Creates `<baseDir>/<slotId>` on branch `claude-pool/<poolId>/<slotId>` from HEAD. */
  async createSlotWorktree(slotId: string): Promise<Worktree> {
    assertRefSafeId("slotId", slotId);
    if (slotId.startsWith(CHAIN_PREFIX)) {
      throw new InvalidOptions("slotId", slotId, `an id that does not start with "${CHAIN_PREFIX}"`);
    }
    return this.#serialize(async () => {
      if (this.#slots.has(slotId)) throw new WorktreeError(`slot ${slotId} already has a worktree`);
      const worktree = await this.#addWorktree(slotId);
      this.#slots.add(slotId);
      await this.#writeOwner();
      return worktree;
    });
  }

  /**
   * Creates `<baseDir>/chain-<chainId>` on branch `claude-pool/<poolId>/chain-<chainId>` from HEAD.
   * Chain worktrees outlive the pool so their work can be reviewed.
   */
  async createChainWorktree(chainId: string): Promise<Worktree> {
    assertRefSafeId("chainId", chainId);
    return this.#serialize(async () => {
      if (this.#chains.has(chainId)) throw new WorktreeError(`chain ${chainId} already has a worktree`);
      const worktree = await this.#addWorktree(chainName(chainId));
      this.#chains.add(chainId);
      await this.#writeOwner();
      return worktree;
    });
  }

  /** Removes a slot's worktree and branch; does nothing for what is already gone. */
  async removeSlotWorktree(slotId: string): Promise<void> {
    assertRefSafeId("slotId", slotId);
    await this.#serialize(async () => {
      await this.#removeWorktree(slotId);
      this.#slots.delete(slotId);
      await this.#writeOwner();
    });
  }

  /** Removes a chain's worktree and branch once its work has been reviewed or merged. */
  async removeChainWorktree(chainId: string): Promise<void> {
    assertRefSafeId("chainId", chainId);
    await this.#serialize(async () => {
      await this.#removeWorktree(chainName(chainId));
      this.#chains.delete(chainId);
      await this.#writeOwner();
    });
  }

  /**
   * Removes every slot worktree and branch of this manager (on drain); chains only with
   * `includeChains`. When nothing is left, the owner file and the empty base dir go too.
   */
  async removeAll(options: RemoveAllOptions = {}): Promise<void> {
    await this.#serialize(async () => {
      for (const slotId of [...this.#slots]) {
        await this.#removeWorktree(slotId);
        this.#slots.delete(slotId);
      }
      if (options.includeChains) {
        for (const chainId of [...this.#chains]) {
          await this.#removeWorktree(chainName(chainId));
          this.#chains.delete(chainId);
        }
      }
      await this.#git.raw(["worktree", "prune"]);
      if (this.#slots.size > 0 || this.#chains.size > 0) {
        await this.#writeOwner();
        return;
      }
      await rm(path.join(this.baseDir, OWNER_FILE), { force: true });
      await rmdir(this.baseDir).catch(() => undefined);
    });
  }

  /** Worktrees this manager currently owns. */
  list(): { slots: string[]; chains: string[] } {
    return { slots: [...this.#slots], chains: [...this.#chains] };
  }

  #serialize<T>(operation: () => Promise<T>): Promise<T> {
    const previous = gitChains.get(this.#commonDir) ?? Promise.resolve();
    const next = previous.then(operation, operation);
    gitChains.set(
      this.#commonDir,
      next.catch(() => undefined),
    );
    return next;
  }

  #branchPrefix(): string {
    return `${BRANCH_ROOT}/${this.poolId}/`;
  }

  #ownedNames(): Set<string> {
    return new Set([...this.#slots, ...[...this.#chains].map(chainName)]);
  }

  /** The directory directly under the base dir that `worktreePath` belongs to, if any. */
  #nameUnderBase(worktreePath: string): string | null {
    const relative = path.relative(this.baseDir, worktreePath);
    if (relative === "" || relative.startsWith("..") || path.isAbsolute(relative)) return null;
    return relative.split(path.sep)[0] ?? null;
  }

  async #addWorktree(name: string): Promise<Worktree> {
    // Validate and expand `.worktreeinclude` first: a refused entry must not leave a worktree behind.
    const includes = await expandWorktreeInclude(this.repoTop, this.baseDir);
    const worktreePath = path.join(this.baseDir, name);
    const branch = `${this.#branchPrefix()}${name}`;

    // A leftover of a crashed run may hold the path or the branch; anything outside the base dir is
    // the user's and is never touched.
    for (const worktree of await listWorktrees(this.#git)) {
      if (worktree.path !== worktreePath && worktree.branch !== `refs/heads/${branch}`) continue;
      if (this.#nameUnderBase(worktree.path) === null) {
        throw new WorktreeError(
          `branch ${branch} is checked out at ${worktree.path}, outside ${this.baseDir}`,
        );
      }
      await this.#forceRemove(worktree.path);
    }
    await rm(worktreePath, { recursive: true, force: true });
    await mkdir(this.baseDir, { recursive: true });

    try {
      // -B: a leftover branch of the same name is reset to HEAD.
      await this.#git.raw(["worktree", "add", "-B", branch, worktreePath, "HEAD"]);
    } catch (error) {
      // A checkout that failed half-way (a full disk) leaves the branch, git's record of the
      // worktree and some files: remove them now, or they stay until the next reconcile.
      await this.#removeWorktree(name).catch(() => undefined);
      await this.#git.raw(["worktree", "prune"]).catch(() => undefined);
      const full = await diskFullNote(this.baseDir);
      throw new WorktreeError(
        `could not create worktree ${worktreePath}: ${full ? `${full}; ` : ""}${errorMessage(error)}`,
        { cause: error },
      );
    }
    try {
      for (const relative of includes) {
        const target = path.join(worktreePath, relative);
        await mkdir(path.dirname(target), { recursive: true });
        await cp(path.join(this.repoTop, relative), target, {
          recursive: true,
          force: true,
          verbatimSymlinks: true,
        });
      }
    } catch (error) {
      await this.#removeWorktree(name).catch(() => undefined);
      throw new WorktreeError(
        `could not copy ${INCLUDE_FILE} entries into ${worktreePath}: ${errorMessage(error)}`,
        {
          cause: error,
        },
      );
    }
    return { path: worktreePath, branch };
  }

  async #removeWorktree(name: string): Promise<void> {
    const worktreePath = path.join(this.baseDir, name);
    const branch = `${this.#branchPrefix()}${name}`;
    const registered = (await listWorktrees(this.#git)).some((w) => w.path === worktreePath);
    if (registered) {
      try {
        await this.#git.raw(["worktree", "remove", "--force", worktreePath]);
      } catch (error) {
        throw new WorktreeError(`could not remove worktree ${worktreePath}: ${errorMessage(error)}`, {
          cause: error,
        });
      }
    } else {
      await rm(worktreePath, { recursive: true, force: true });
    }
    if ((await listBranches(this.#git, this.#branchPrefix())).includes(branch)) {
      try {
        await this.#git.raw(["branch", "-D", branch]);
      } catch (error) {
        throw new WorktreeError(`could not delete branch ${branch}: ${errorMessage(error)}`, {
          cause: error,
        });
      }
    }
  }

  /** Removes a leftover worktree even if locked or half-deleted. */
  async #forceRemove(worktreePath: string): Promise<void> {
    try {
      await this.#git.raw(["worktree", "remove", "--force", "--force", worktreePath]);
    } catch {
      await rm(worktreePath, { recursive: true, force: true });
      await this.#git.raw(["worktree", "prune"]);
    }
  }

  async #writeOwner(): Promise<void> {
    const current = await readOwner(this.baseDir);
    if (current && !this.#isMe(current) && isOwnerAlive(current)) {
      throw new WorktreeError(
        `worktree base dir ${this.baseDir} was taken over by pid ${current.pid} on ${current.hostname}`,
      );
    }
    const record: OwnerRecord = { ...this.#owner, slots: [...this.#slots], chains: [...this.#chains] };
    await mkdir(this.baseDir, { recursive: true });
    await writeFile(path.join(this.baseDir, OWNER_FILE), `${JSON.stringify(record, null, 2)}\n`);
  }

  #isMe(record: OwnerRecord): boolean {
    return (
      record.pid === this.#owner.pid &&
      record.hostname === this.#owner.hostname &&
      record.startedAt === this.#owner.startedAt
    );
  }
}

function chainName(chainId: string): string {
  return `${CHAIN_PREFIX}${chainId}`;
}
