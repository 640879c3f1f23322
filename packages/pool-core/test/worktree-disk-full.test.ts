import { execFileSync } from "node:child_process";
import { appendFileSync, mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { WorktreeError } from "../src/domain/errors.js";
import { WorktreeManager } from "../src/worktrees/manager.js";
import { initGitRepo } from "./helpers.js";

/**
 * The worktree base dir on a disk that fills up: a 2 MB tmpfs (mounted as root or through
 * passwordless sudo; without either the test fails saying so). Creating a worktree there fails
 * with an error naming the full disk, and leaves no worktree, directory or branch behind; once
 * there is room again the same manager creates it.
 */

let base: string;
let mounted = false;
const asRoot = process.getuid?.() === 0;
const privileged = (cmd: string[]) =>
  asRoot
    ? execFileSync(cmd[0] as string, cmd.slice(1), { stdio: "pipe" })
    : execFileSync("sudo", ["-n", ...cmd], { stdio: "pipe" });

beforeAll(() => {
  base = realpathSync(mkdtempSync(path.join(tmpdir(), "pool-small-disk-")));
  try {
    privileged(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", base]);
    mounted = true;
  } catch (error) {
    throw new Error(`this test mounts a 2 MB tmpfs and needs root or passwordless sudo: ${String(error)}`);
  }
});

afterAll(() => {
  if (mounted) privileged(["umount", "-l", base]);
  rmSync(base, { recursive: true, force: true });
});

function fill(file: string): void {
  writeFileSync(file, "");
  for (let chunk = 256 * 1024; chunk >= 1024; chunk /= 2) {
    for (;;) {
      try {
        appendFileSync(file, Buffer.alloc(chunk));
      } catch {
        break;
      }
    }
  }
}

it("a full disk under the base dir: the worktree is refused naming the disk, nothing half-made is left", async () => {
  const { repo, git } = initGitRepo();
  // Enough to check out that a full disk cannot hold it.
  writeFileSync(path.join(repo, "data.txt"), "y".repeat(300_000));
  git("add", "data.txt");
  git("commit", "-qm", "data");
  const manager = await WorktreeManager.open({ repoDir: repo, poolId: "p1", baseDir: base });
  await manager.createSlotWorktree("slot-1");

  const filler = path.join(base, "filler");
  fill(filler);
  const error = await manager.createSlotWorktree("slot-2").catch((e: unknown) => e);
  expect(error).toBeInstanceOf(WorktreeError);
  expect((error as Error).message).toMatch(
    new RegExp(
      `^could not create worktree ${base}/slot-2: the disk holding ${base} is full \\(\\d+ bytes free\\); `,
    ),
  );
  const worktrees = git("worktree", "list", "--porcelain")
    .split("\n")
    .filter((l) => l.startsWith("worktree "))
    .map((l) => l.slice("worktree ".length));
  expect(worktrees).toEqual([realpathSync(repo), path.join(base, "slot-1")]);
  expect(git("branch", "--format=%(refname:short)").split("\n").filter(Boolean).sort()).toEqual([
    "claude-pool/p1/slot-1",
    "main",
  ]);
  expect(readdirSync(base).sort()).toEqual([".owner.json", "filler", "slot-1"]);
  expect(manager.list().slots).toEqual(["slot-1"]);

  rmSync(filler);
  const again = await manager.createSlotWorktree("slot-2");
  expect(again.path).toBe(path.join(base, "slot-2"));
  await manager.removeAll();
});
