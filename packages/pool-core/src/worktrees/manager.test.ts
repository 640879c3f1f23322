import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InvalidOptions, WorktreeError } from "../domain/errors.js";
import { WorktreeManager } from "./manager.js";

let root: string;
let repo: string;

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

async function initRepo(dir: string, withCommit = true): Promise<void> {
  await mkdir(dir, { recursive: true });
  git(dir, "init", "--quiet", "--initial-branch=main");
  git(dir, "config", "user.name", "Pool Test");
  git(dir, "config", "user.email", "pool-test@example.com");
  git(dir, "config", "commit.gpgsign", "false");
  if (!withCommit) return;
  await writeFile(path.join(dir, "README.md"), "hello\n");
  await writeFile(path.join(dir, ".gitignore"), ".env\nsecrets/\n");
  git(dir, "add", ".");
  git(dir, "commit", "--quiet", "-m", "initial");
}

function worktreePaths(): string[] {
  return git(repo, "worktree", "list", "--porcelain")
    .split("\n")
    .filter((line) => line.startsWith("worktree "))
    .map((line) => line.slice("worktree ".length));
}

function poolBranches(): string[] {
  return git(repo, "for-each-ref", "--format=%(refname:short)", "refs/heads/claude-pool/")
    .split("\n")
    .filter((line) => line !== "");
}

function deadPid(): number {
  const { pid } = spawnSync(process.execPath, ["-e", ""]);
  if (pid === undefined) throw new Error("could not spawn a child to get a dead pid");
  return pid;
}

beforeEach(async () => {
  root = await realpath(await mkdtemp(path.join(tmpdir(), "pool-worktree-")));
  repo = path.join(root, "repo");
  await initRepo(repo);
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("WorktreeManager.open", () => {
  it("refuses a directory outside any git repository before creating anything", async () => {
    const plain = path.join(root, "plain");
    await mkdir(plain);
    const error = await WorktreeManager.open({ repoDir: plain, poolId: "p" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorktreeError);
    expect((error as WorktreeError).message).toBe(
      `worktree: true needs a git repository: ${plain} is not inside one`,
    );
    expect(await readdir(plain)).toEqual([]);
  });

  it("refuses a repository without a commit before creating anything", async () => {
    const empty = path.join(root, "empty");
    await initRepo(empty, false);
    const excludeBefore = await readFile(path.join(empty, ".git", "info", "exclude"), "utf8");
    await expect(WorktreeManager.open({ repoDir: empty, poolId: "p" })).rejects.toThrow(
      new WorktreeError(`worktree: true needs a git repository: ${empty} has no commit yet`),
    );
    expect(await readdir(empty)).toEqual([".git"]);
    expect(await readFile(path.join(empty, ".git", "info", "exclude"), "utf8")).toBe(excludeBefore);
  });

  it("rejects ids that cannot be branch names", async () => {
    await expect(WorktreeManager.open({ repoDir: repo, poolId: "a/../b" })).rejects.toBeInstanceOf(
      InvalidOptions,
    );
    const manager = await WorktreeManager.open({ repoDir: repo, poolId: "p" });
    await expect(manager.createSlotWorktree("has space")).rejects.toBeInstanceOf(InvalidOptions);
    await expect(manager.createSlotWorktree("chain-1")).rejects.toBeInstanceOf(InvalidOptions);
  });

  it("works from a subdirectory and excludes the base dir via .git/info/exclude", async () => {
    await mkdir(path.join(repo, "sub"));
    const manager = await WorktreeManager.open({ repoDir: path.join(repo, "sub"), poolId: "p" });
    expect(manager.repoTop).toBe(repo);
    expect(manager.baseDir).toBe(path.join(repo, ".claude-pool", "worktrees", "p"));
    const exclude = await readFile(path.join(repo, ".git", "info", "exclude"), "utf8");
    expect(exclude.split("\n")).toContain("/.claude-pool/");
    expect(await readFile(path.join(repo, ".gitignore"), "utf8")).toBe(".env\nsecrets/\n");

    await WorktreeManager.open({ repoDir: repo, poolId: "q" });
    const again = await readFile(path.join(repo, ".git", "info", "exclude"), "utf8");
    expect(again.split("\n").filter((line) => line === "/.claude-pool/")).toHaveLength(1);
  });

  it("refuses a base dir owned by a live manager", async () => {
    await WorktreeManager.open({ repoDir: repo, poolId: "p" });
    await expect(WorktreeManager.open({ repoDir: repo, poolId: "p" })).rejects.toThrow(/is in use by pid/);
  });
});

describe("slot worktrees", () => {
  it("creates N worktrees concurrently, each on its own branch from HEAD", async () => {
    const manager = await WorktreeManager.open({ repoDir: repo, poolId: "p" });
    const head = git(repo, "rev-parse", "HEAD");
    const created = await Promise.all(["s1", "s2", "s3", "s4"].map((id) => manager.createSlotWorktree(id)));

    expect(created.map((w) => w.branch)).toEqual([
      "claude-pool/p/s1",
      "claude-pool/p/s2",
      "claude-pool/p/s3",
      "claude-pool/p/s4",
    ]);
    for (const worktree of created) {
      expect(worktree.path).toBe(path.join(manager.baseDir, path.basename(worktree.path)));
      expect(git(worktree.path, "rev-parse", "--abbrev-ref", "HEAD")).toBe(worktree.branch);
      expect(git(worktree.path, "rev-parse", "HEAD")).toBe(head);
    }
    expect(worktreePaths()).toHaveLength(5);
    expect(manager.list()).toEqual({ slots: ["s1", "s2", "s3", "s4"], chains: [] });
  });

  it("keeps a file written in a slot worktree out of the main checkout", async () => {
    const manager = await WorktreeManager.open({ repoDir: repo, poolId: "p" });
    const { path: worktree } = await manager.createSlotWorktree("s1");
    await writeFile(path.join(worktree, "work.txt"), "slot work\n");

    expect(existsSync(path.join(repo, "work.txt"))).toBe(false);
    expect(git(worktree, "status", "--porcelain")).toBe("?? work.txt");
    expect(git(repo, "status", "--porcelain")).toBe("");
  });

  it("re-creates a leftover branch from HEAD", async () => {
    const old = git(repo, "rev-parse", "HEAD");
    await writeFile(path.join(repo, "second.txt"), "2\n");
    git(repo, "add", ".");
    git(repo, "commit", "--quiet", "-m", "second");
    git(repo, "branch", "claude-pool/p/s1", old);

    const manager = await WorktreeManager.open({ repoDir: repo, poolId: "p" });
    const { path: worktree } = await manager.createSlotWorktree("s1");
    expect(git(worktree, "rev-parse", "HEAD")).toBe(git(repo, "rev-parse", "HEAD"));
  });

  it("copies .worktreeinclude entries (untracked file, directory, glob) into the worktree", async () => {
    await writeFile(path.join(repo, ".env"), "TOKEN=1\n");
    await mkdir(path.join(repo, "secrets", "nested"), { recursive: true });
    await writeFile(path.join(repo, "secrets", "nested", "key.pem"), "KEY\n");
    await mkdir(path.join(repo, "config"));
    await writeFile(path.join(repo, "config", "a.local.json"), "{}\n");
    await writeFile(path.join(repo, "config", "b.local.json"), "{}\n");
    await writeFile(path.join(repo, "config", "shared.json"), "{}\n");
    await mkdir(path.join(repo, "apps", "web"), { recursive: true });
    await writeFile(path.join(repo, "apps", "web", ".env.local"), "WEB=1\n");
    await writeFile(
      path.join(repo, ".worktreeinclude"),
      "# untracked files a worktree lacks\n.env\n\nsecrets/\nconfig/*.local.json\nmissing.txt\n**/.env.local\n",
    );

    const manager = await WorktreeManager.open({ repoDir: repo, poolId: "p" });
    const { path: worktree } = await manager.createSlotWorktree("s1");
    expect(await readFile(path.join(worktree, ".env"), "utf8")).toBe("TOKEN=1\n");
    expect(await readFile(path.join(worktree, "secrets", "nested", "key.pem"), "utf8")).toBe("KEY\n");
    expect((await readdir(path.join(worktree, "config"))).sort()).toEqual(["a.local.json", "b.local.json"]);
    expect(existsSync(path.join(worktree, "missing.txt"))).toBe(false);
    expect(await readFile(path.join(worktree, "apps", "web", ".env.local"), "utf8")).toBe("WEB=1\n");
  });

  it("refuses .worktreeinclude entries that escape the repository, without creating the worktree", async () => {
    await writeFile(path.join(root, "outside"), "do not copy\n");
    await writeFile(path.join(repo, ".worktreeinclude"), ".env\n../outside\n");
    const manager = await WorktreeManager.open({ repoDir: repo, poolId: "p" });

    await expect(manager.createSlotWorktree("s1")).rejects.toThrow(
      /\.worktreeinclude line 2: refusing "\.\.\/outside"/,
    );
    expect(worktreePaths()).toEqual([repo]);
    expect(poolBranches()).toEqual([]);

    await writeFile(path.join(repo, ".worktreeinclude"), `${path.join(root, "outside")}\n`);
    await expect(manager.createSlotWorktree("s1")).rejects.toThrow(/absolute paths are not allowed/);

    await symlink(root, path.join(repo, "link"));
    await writeFile(path.join(repo, ".worktreeinclude"), "link/outside\n");
    await expect(manager.createSlotWorktree("s1")).rejects.toThrow(/resolves outside/);
    expect(worktreePaths()).toEqual([repo]);
  });

  it("removeSlotWorktree removes the worktree and its branch, and is idempotent", async () => {
    const manager = await WorktreeManager.open({ repoDir: repo, poolId: "p" });
    const { path: worktree } = await manager.createSlotWorktree("s1");
    await writeFile(path.join(worktree, "dirty.txt"), "uncommitted\n");
    await manager.removeSlotWorktree("s1");
    await manager.removeSlotWorktree("s1");
    expect(worktreePaths()).toEqual([repo]);
    expect(poolBranches()).toEqual([]);
    expect(existsSync(worktree)).toBe(false);
  });

  it("removeAll leaves no slot worktree and no slot branch", async () => {
    const manager = await WorktreeManager.open({ repoDir: repo, poolId: "p" });
    await Promise.all(["s1", "s2", "s3"].map((id) => manager.createSlotWorktree(id)));
    await manager.removeAll();

    expect(worktreePaths()).toEqual([repo]);
    expect(poolBranches()).toEqual([]);
    expect(existsSync(manager.baseDir)).toBe(false);
  });
});

describe("chain worktrees", () => {
  it("survive removeAll and are removed with includeChains", async () => {
    const manager = await WorktreeManager.open({ repoDir: repo, poolId: "p" });
    await manager.createSlotWorktree("s1");
    const chain = await manager.createChainWorktree("c1");
    expect(chain.branch).toBe("claude-pool/p/chain-c1");
    expect(chain.path).toBe(path.join(manager.baseDir, "chain-c1"));
    const owner = JSON.parse(await readFile(path.join(manager.baseDir, ".owner.json"), "utf8"));
    expect(owner).toMatchObject({ pid: process.pid, slots: ["s1"], chains: ["c1"] });

    await manager.removeAll();
    expect(worktreePaths()).toEqual([repo, chain.path]);
    expect(poolBranches()).toEqual(["claude-pool/p/chain-c1"]);

    await manager.removeAll({ includeChains: true });
    expect(worktreePaths()).toEqual([repo]);
    expect(poolBranches()).toEqual([]);
  });
});

describe("reconcile", () => {
  async function crash(manager: WorktreeManager): Promise<void> {
    const ownerFile = path.join(manager.baseDir, ".owner.json");
    const owner = JSON.parse(await readFile(ownerFile, "utf8"));
    await writeFile(ownerFile, JSON.stringify({ ...owner, pid: deadPid() }));
  }

  it("removes the leftovers of a crashed manager but keeps its chains for review", async () => {
    const crashed = await WorktreeManager.open({ repoDir: repo, poolId: "p" });
    await crashed.createSlotWorktree("s1");
    await crashed.createSlotWorktree("s2");
    const chain = await crashed.createChainWorktree("c1");
    await crash(crashed);
    // A `worktree add` interrupted half-way, and a branch whose worktree is already gone.
    await mkdir(path.join(crashed.baseDir, "s3"));
    git(repo, "branch", "claude-pool/p/s4");
    // Another pool's branch is not ours to delete.
    git(repo, "branch", "claude-pool/other/s1");

    const manager = await WorktreeManager.open({ repoDir: repo, poolId: "p" });
    const result = await manager.reconcile();

    expect(result.removedWorktrees.sort()).toEqual(
      ["s1", "s2", "s3"].map((name) => path.join(manager.baseDir, name)),
    );
    expect(result.deletedBranches.sort()).toEqual([
      "claude-pool/p/s1",
      "claude-pool/p/s2",
      "claude-pool/p/s4",
    ]);
    expect(worktreePaths()).toEqual([repo, chain.path]);
    expect(poolBranches()).toEqual(["claude-pool/other/s1", "claude-pool/p/chain-c1"]);
    expect(manager.list()).toEqual({ slots: [], chains: ["c1"] });
    expect(git(repo, "status", "--porcelain")).toBe("");

    await manager.reconcile({ includeChains: true });
    expect(worktreePaths()).toEqual([repo]);
    expect(poolBranches()).toEqual(["claude-pool/other/s1"]);
  });

  it("lets a new manager re-create a slot a crashed manager left behind", async () => {
    const crashed = await WorktreeManager.open({ repoDir: repo, poolId: "p" });
    await crashed.createSlotWorktree("s1");
    await crash(crashed);

    const manager = await WorktreeManager.open({ repoDir: repo, poolId: "p" });
    const { path: worktree, branch } = await manager.createSlotWorktree("s1");
    expect(git(worktree, "rev-parse", "--abbrev-ref", "HEAD")).toBe(branch);
    await manager.reconcile();
    expect(worktreePaths()).toEqual([repo, worktree]);
  });
});
