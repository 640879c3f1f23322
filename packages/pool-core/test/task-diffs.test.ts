import { simDirective } from "@claude-pool/claude-sim";
import { afterEach, describe, expect, it } from "vitest";
import type { Pool } from "../src/index.js";
import { initGitRepo, simPool } from "./helpers.js";

/** Issue 8, item 5: a task that runs in a worktree records what it changed when it ends. */
const pools: Pool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.shutdown()));
});

async function worktreePool() {
  const { repo } = initGitRepo();
  const made = await simPool({
    slots: 1,
    claude: { cwd: repo },
    config: { worktree: true, permissionMode: "acceptEdits" },
  });
  pools.push(made.pool);
  return { ...made, repo };
}

describe("per-task diffs", () => {
  it("records the files a task wrote in its slot's worktree, with +/- counts and the patch, task by task", async () => {
    const { pool } = await worktreePool();
    const first = await pool.run(
      `write ${simDirective({ writeFiles: { "notes.md": "alpha\nbeta\n", "README.md": "hello\n" } })}`,
    );
    const diff = await pool.taskDiff(first.taskId);
    expect(diff?.files.sort((a, b) => (a.path < b.path ? -1 : 1))).toEqual([
      { path: "README.md", additions: 1, deletions: 1, binary: false },
      { path: "notes.md", additions: 2, deletions: 0, binary: false },
    ]);
    expect(diff?.additions).toBe(3);
    expect(diff?.deletions).toBe(1);
    expect(diff?.truncated).toBe(false);
    expect(diff?.patch).toContain("+alpha");
    expect(diff?.patch).toContain("-hi");

    // The next task's diff is its own: only what it changed on top.
    const second = await pool.run(
      `more ${simDirective({ writeFiles: { "notes.md": "alpha\nbeta\ngamma\n" } })}`,
    );
    expect((await pool.taskDiff(second.taskId))?.files).toEqual([
      { path: "notes.md", additions: 1, deletions: 0, binary: false },
    ]);
    const idle = await pool.run("just talk");
    expect((await pool.taskDiff(idle.taskId))?.files).toEqual([]);
  });

  it("keeps at most 1 MB of a patch and marks it truncated", async () => {
    const { pool } = await worktreePool();
    const big = `${"x".repeat(99)}\n`.repeat(15_000); // 1.5 MB
    const r = await pool.run(`big ${simDirective({ writeFiles: { "big.txt": big } })}`);
    const diff = await pool.taskDiff(r.taskId);
    expect(diff?.files).toEqual([{ path: "big.txt", additions: 15_000, deletions: 0, binary: false }]);
    expect(diff?.truncated).toBe(true);
    expect(Buffer.byteLength(diff?.patch ?? "")).toBeLessThanOrEqual(1024 * 1024);
    expect(diff?.patchBytes).toBeGreaterThan(1024 * 1024);
  });

  it("records a chain step's changes in the chain's own worktree; a task outside a worktree has none", async () => {
    const { repo } = initGitRepo();
    const { pool } = await simPool({
      slots: 1,
      claude: { cwd: repo },
      config: { permissionMode: "acceptEdits" },
    });
    pools.push(pool);
    const chainId = await pool.submitChain(
      [
        {
          name: "edit",
          action: { type: "prompt", prompt: `edit ${simDirective({ writeFiles: { "a.txt": "a\n" } })}` },
        },
      ],
      { isolation: "worktree" },
    );
    const progress = await pool.chainResult(chainId, { wait: true });
    const taskId = progress.steps[0]?.taskIds[0] ?? "";
    expect((await pool.taskDiff(taskId))?.files).toEqual([
      { path: "a.txt", additions: 1, deletions: 0, binary: false },
    ]);
    const plain = await pool.run("no worktree here");
    expect(await pool.taskDiff(plain.taskId)).toBeUndefined();
  });
});
