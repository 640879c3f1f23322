import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { initGitRepo } from "../../test/helpers.js";
import { diffTrees, snapshotTree } from "./diff.js";

describe("what a task changed in its worktree", () => {
  it("counts added, changed, deleted, untracked and binary files, and leaves index and branch alone", async () => {
    const { repo, git } = initGitRepo();
    writeFileSync(path.join(repo, "keep.txt"), "one\ntwo\nthree\n");
    writeFileSync(path.join(repo, ".gitignore"), "ignored/\n");
    git("add", ".");
    git("commit", "-qm", "base");
    const before = await snapshotTree(repo);

    writeFileSync(path.join(repo, "keep.txt"), "one\n2\nthree\nfour\n");
    git("rm", "-q", "README.md");
    mkdirSync(path.join(repo, "src"));
    writeFileSync(path.join(repo, "src", "new file.ts"), "export const x = 1;\n");
    writeFileSync(path.join(repo, "logo.bin"), Buffer.from([0, 1, 2, 255, 0]));
    mkdirSync(path.join(repo, "ignored"));
    writeFileSync(path.join(repo, "ignored", "cache.txt"), "noise\n");
    const statusBefore = git("status", "--porcelain");
    const head = git("rev-parse", "HEAD");

    const after = await snapshotTree(repo);
    const change = await diffTrees(repo, before, after);
    expect(change.files.sort((a, b) => (a.path < b.path ? -1 : 1))).toEqual([
      { path: "README.md", additions: 0, deletions: 1, binary: false },
      { path: "keep.txt", additions: 2, deletions: 1, binary: false },
      { path: "logo.bin", additions: 0, deletions: 0, binary: true },
      { path: "src/new file.ts", additions: 1, deletions: 0, binary: false },
    ]);
    expect(change.patch).toContain("+export const x = 1;");
    expect(change.patch).toContain("-two");
    expect(change.patch).toContain("Binary files");
    expect(change.patch).not.toContain("noise");
    // Snapshots write nothing the user sees: same status, same HEAD.
    expect(git("status", "--porcelain")).toBe(statusBefore);
    expect(git("rev-parse", "HEAD")).toBe(head);
    expect(execFileSync("git", ["stash", "list"], { cwd: repo, encoding: "utf8" })).toBe("");
  });

  it("is empty when nothing changed", async () => {
    const { repo } = initGitRepo();
    const a = await snapshotTree(repo);
    expect(await diffTrees(repo, a, await snapshotTree(repo))).toEqual({ files: [], patch: "" });
  });
});
