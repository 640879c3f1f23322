import { simDirective } from "@claude-pool/claude-sim";
import { describe, expect, it } from "vitest";
import { openTask, screenshot, submitTask, visible } from "./browser";
import { useDashboard } from "./dashboard";

/**
 * A task in a worktree pool writes a file (claude-sim's `Write` tool use, allowed by
 * `acceptEdits`); the pool records what changed, and the task page shows the file with its
 * +/- counts and the patch with the added lines marked.
 */
describe("a worktree task's diff on its task page", () => {
  const ui = useDashboard({
    account: {
      as: "differ",
      team: "Diff Team",
      pool: { name: "diff-pool", slots: 1, worktree: true, permissionMode: "acceptEdits" },
    },
  });

  it("lists the file the task wrote with its added lines, and shows the patch", async () => {
    const { page } = ui;
    const content = "first line from the task\nsecond line from the task\n";
    await submitTask(page, `write notes ${simDirective({ writeFiles: { "notes/todo.txt": content } })}`);
    await openTask(page, "completed", /^write notes/);

    const files = page.getByRole("table", { name: "Changed files" });
    const row = files.getByRole("row").filter({ hasText: "notes/todo.txt" });
    await visible(row);
    expect((await row.getByRole("cell").allTextContents()).map((c) => c.trim())).toEqual([
      "notes/todo.txt",
      "+2",
      "−0",
    ]);
    expect(await page.getByTestId("diff-totals").textContent()).toMatch(/1 file · \+2\s*−0/);

    // The patch: the new file's header, and each added line marked as an addition.
    const patch = page.getByTestId("diff-patch");
    const added = await patch.locator("span.add").allTextContents();
    expect(added).toEqual(["+first line from the task", "+second line from the task"]);
    expect(await patch.locator("span.meta").allTextContents()).toContain("+++ b/notes/todo.txt");
    // The tool use that wrote it is in the stream above.
    await visible(page.getByRole("list", { name: "Task output" }).getByText(/Write/).first());
    expect(await page.getByText(/The patch is .* KiB/).count()).toBe(0);
    await screenshot(page, "worktree-diff");
  });
});
