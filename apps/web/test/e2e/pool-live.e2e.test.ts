import { simDirective } from "@claude-pool/claude-sim";
import { describe, expect, it } from "vitest";
import {
  createPool,
  createTeam,
  openTask,
  screenshot,
  signUp,
  submitTask,
  uniqueEmail,
  visible,
} from "./browser";
import { useDashboard } from "./dashboard";

/**
 * The main path: an account, a team, a pool; a task whose slot turns busy and whose output
 * streams in before it ends, then its spend; a fan-out moving across the task board; a cancel.
 */
describe("pools, live slots and task streams", () => {
  const ui = useDashboard();

  it("signs up, creates a team and a pool, and streams a task's output live into its page", async () => {
    const { page } = ui;
    await signUp(page, uniqueEmail("owner"));
    await createTeam(page, "Live Team");
    await createPool(page, { name: "live-pool", slots: 2 });

    // Three tool rounds of 3 s each: long enough to watch it run on a loaded machine.
    await submitTask(page, `stream me ${simDirective({ delayMs: 3000, toolTurns: 3, cost: 0.02 })}`, {
      tags: "e2e",
    });
    const busySlot = page
      .getByRole("listitem", { name: /^Slot / })
      .filter({ has: page.getByText("busy", { exact: true }) });
    await visible(busySlot);
    await busySlot.getByRole("link", { name: "Current task" }).click();
    await page.waitForURL(/\/tasks\//);

    // The first tool use shows while the task is still running: the output is streamed, not loaded at the end.
    const output = page.getByRole("list", { name: "Task output" });
    await visible(output.getByText(/sim-tool-1/).first());
    expect(await page.getByTestId("task-status").textContent()).toBe("running");

    await visible(page.getByTestId("task-status").getByText("completed"));
    await visible(page.getByTestId("task-result"));
    // $0.02 per call, four calls (three tool rounds and the answer).
    await visible(page.getByTestId("task-spend").getByText("$0.08"));
    for (const i of [1, 2, 3])
      expect(await output.getByText(`sim-tool-${i}`, { exact: false }).count()).toBeGreaterThan(0);
    await screenshot(page, "task-streamed");
  });

  it("fans out three prompts and the task board moves them to completed", async () => {
    const { page } = ui;
    await page.getByRole("link", { name: /Back to/ }).click();
    const form = page.getByRole("form", { name: "Fan out prompts" });
    await form
      .getByLabel("Prompts, one per line")
      .fill([1, 2, 3].map((i) => `fan ${i} ${simDirective({ delayMs: 800 })}`).join("\n"));
    await form.getByRole("button", { name: /Fan out 3 prompts/ }).click();
    const completed = page.getByRole("region", { name: "completed tasks" });
    // The first task plus the three fanned out.
    await visible(completed.getByRole("link", { name: /^fan 3/ }));
    await visible(completed.getByRole("link", { name: /^fan 1/ }));
    await visible(completed.getByRole("link", { name: /^fan 2/ }));
    await screenshot(page, "fan-out-board");
  });

  it("cancels a running task from its page", async () => {
    const { page } = ui;
    await submitTask(page, `never ends ${simDirective({ hang: true })}`);
    await openTask(page, "running", /^never ends/);
    await visible(page.getByTestId("task-status").getByText("running"));
    await page.getByRole("button", { name: "Cancel task" }).click();
    await visible(page.getByTestId("task-status").getByText("cancelled"));
    await screenshot(page, "task-cancelled");
  });
});
