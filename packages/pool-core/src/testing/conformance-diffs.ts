import { newId } from "../domain/ids.js";
import type { Store } from "../store/port.js";
import { TASK_DIFF_PATCH_LIMIT_BYTES } from "../store/task-diff.js";
import type { ConformanceContext } from "./conformance.js";
import { newTestTask, POOL, type TestApi } from "./harness.js";

/** Per-task diffs: what a task changed in its worktree. */
export function describeDiffConformance(t: TestApi, ctx: ConformanceContext): void {
  const { describe, it, expect, beforeEach } = t;
  let store: Store;
  beforeEach(() => {
    store = ctx.store;
  });

  const files = [
    { path: "src/a.ts", additions: 3, deletions: 1, binary: false },
    { path: "logo.png", additions: 0, deletions: 0, binary: true },
  ];

  describe("task diffs", () => {
    it("saves a task's files and patch, reads them back, and replaces them on a later save", async () => {
      const task = await store.insertTask(newTestTask(POOL));
      expect(await store.getTaskDiff(task.id)).toBeUndefined();
      const patch = "diff --git a/src/a.ts b/src/a.ts\n+one\n+two\n+three\n-old\n";
      const saved = await store.saveTaskDiff({ taskId: task.id, files, patch });
      expect(saved).toMatchObject({
        taskId: task.id,
        files,
        patch,
        truncated: false,
        patchBytes: patch.length,
        additions: 3,
        deletions: 1,
      });
      expect(saved.createdAt).toBeInstanceOf(Date);
      expect(await store.getTaskDiff(task.id)).toEqual(saved);
      const again = await store.saveTaskDiff({ taskId: task.id, files: [], patch: "" });
      expect(again).toMatchObject({ files: [], patch: "", truncated: false, additions: 0, deletions: 0 });
      expect(await store.getTaskDiff(task.id)).toMatchObject({ files: [], patch: "" });
    });

    it("keeps at most 1 MB of the patch, cut at a line end and marked truncated", async () => {
      const task = await store.insertTask(newTestTask(POOL));
      const line = `+${"é".repeat(99)}\n`; // 200 bytes, two per é
      const patch = line.repeat(Math.ceil((1.5 * TASK_DIFF_PATCH_LIMIT_BYTES) / 200));
      const saved = await store.saveTaskDiff({ taskId: task.id, files, patch });
      const kept = Buffer.byteLength(saved.patch, "utf8");
      expect(saved.truncated).toBe(true);
      expect(saved.patchBytes).toBe(Buffer.byteLength(patch, "utf8"));
      expect(kept).toBeLessThanOrEqual(TASK_DIFF_PATCH_LIMIT_BYTES);
      expect(kept).toBeGreaterThan(TASK_DIFF_PATCH_LIMIT_BYTES - 200);
      expect(patch.startsWith(saved.patch)).toBe(true);
      expect(saved.patch.endsWith("\n")).toBe(true);
      expect((await store.getTaskDiff(task.id))?.patch).toBe(saved.patch);
    });

    it("keeps a patch holding a NUL byte (as U+FFFD) and refuses a diff of an unknown task", async () => {
      const task = await store.insertTask(newTestTask(POOL));
      const saved = await store.saveTaskDiff({ taskId: task.id, files, patch: "+a\u0000b\n" });
      expect((await store.getTaskDiff(task.id))?.patch).toBe("+a\ufffdb\n");
      expect(saved.truncated).toBe(false);
      await expect(store.saveTaskDiff({ taskId: newId(), files, patch: "" })).rejects.toThrow();
    });
  });
}
