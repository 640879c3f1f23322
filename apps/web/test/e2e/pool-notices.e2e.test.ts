import { simDirective } from "@claude-pool/claude-sim";
import { describe, expect, it } from "vitest";
import { createPool, openTask, screenshot, submitTask, visible } from "./browser";
import { useDashboard } from "./dashboard";

/**
 * What the dashboard tells a team without being asked: a pool that bypasses permissions is marked
 * wherever it is listed, a finished task raises a browser notification once the user has opted
 * in, and a task parked by a usage limit says when it resumes (last: the limit holds the
 * engine's account until its reset).
 */
describe("parked tasks, permission warnings and browser notifications", () => {
  const ui = useDashboard({
    account: { as: "notices", team: "Notice Team", pool: { name: "quota-pool", slots: 1 } },
  });

  it("marks a pool that bypasses permissions on the pool list and its page", async () => {
    const { page } = ui;
    await createPool(page, {
      name: "yolo-pool",
      slots: 1,
      permissionMode: "bypassPermissions",
      allowBypass: true,
    });
    await visible(page.getByText("⚠ bypasses permissions"));

    await page.getByRole("link", { name: "Pools", exact: true }).click();
    const card = (name: string) =>
      page.getByRole("article").filter({ has: page.getByRole("link", { name, exact: true }) });
    await visible(card("yolo-pool").getByText("⚠ bypasses permissions"));
    await visible(card("quota-pool"));
    expect(await card("quota-pool").getByText("⚠ bypasses permissions").count()).toBe(0);
    await screenshot(page, "bypass-badge");
  });

  it("raises a browser notification when a task it submitted finishes, once opted in", async () => {
    const { browser, page, poolUrl } = ui;
    // The permission is the browser's own (granted as a user would); only the notification
    // itself, the desktop's UI, is recorded instead of shown.
    await browser.grantPermissions(["notifications"]);
    await browser.addInitScript(() => {
      const shown: Array<{ title: string; body: string | undefined }> = [];
      const Real = window.Notification;
      class Recorded {
        constructor(title: string, options?: NotificationOptions) {
          shown.push({ title, body: options?.body });
        }
        static get permission() {
          return Real.permission;
        }
        static requestPermission() {
          return Real.requestPermission();
        }
      }
      Object.assign(window, { Notification: Recorded, shownNotifications: shown });
    });
    await page.goto(poolUrl);
    await page.getByLabel("Browser notifications").check();
    expect(await page.getByLabel("Browser notifications").isChecked()).toBe(true);

    await submitTask(page, `notify me ${simDirective({ reply: "done" })}`);
    await visible(page.getByRole("status").filter({ hasText: /Task “notify me.*” finished\./ }));
    const shown = await page.evaluate(
      () =>
        (window as unknown as { shownNotifications: Array<{ title: string; body?: string }> })
          .shownNotifications,
    );
    expect(shown.map((n) => n.title)).toContain("claude-pool");
    expect(shown.some((n) => /^Task “notify me.*” finished\.$/.test(n.body ?? ""))).toBe(true);
  });

  it("a task parked by a usage limit says when it resumes, on its page, the board and the overview, then resumes", async () => {
    const { page } = ui;
    // Whole seconds, as the CLI reports it. Far enough ahead for the checks below to see it
    // parked; near enough that the test then watches it resume (a usage limit is per account, and
    // every pool of this engine shares one: the next file must not find it still limited).
    const resetsAt = new Date((Math.ceil(Date.now() / 1000) + 30) * 1000);
    const expected = `waiting for usage limit, resumes at ${resetsAt.toISOString().replace("T", " ").slice(0, 19)} UTC`;
    const script = { delayMs: 3000, toolTurns: 1, usageLimit: { resetsAt: resetsAt.toISOString() } };
    await submitTask(page, `over quota ${simDirective(script)}`);

    // Open while it runs: the page turns to "waiting for quota" by itself when the limit parks it.
    await openTask(page, "running", /^over quota/);
    const taskUrl = page.url();
    await visible(
      page
        .getByRole("list", { name: "Task output" })
        .getByText(/sim-tool-1/)
        .first(),
    );
    expect(await page.getByTestId("task-status").textContent()).toBe("running");
    await visible(page.getByTestId("task-status").getByText("waiting for quota"));
    expect(await page.getByTestId("parked-until").textContent()).toBe(expected);
    // The facts carry no raw CLI error while it is parked (the stream still has its lines).
    expect(
      await page
        .locator("dl.facts")
        .getByText(/usage limit reached/)
        .count(),
    ).toBe(0);
    await screenshot(page, "task-parked");

    await page.getByRole("link", { name: /Back to/ }).click();
    const parked = page.getByRole("region", { name: "waiting for quota tasks" });
    await visible(parked.getByRole("link", { name: /^over quota/ }));
    expect(await parked.getByTestId("parked-until").textContent()).toBe(expected);
    // The pool says it once for the account: how many wait, and until when.
    expect(await page.getByTestId("usage-limit").textContent()).toMatch(
      new RegExp(`^Usage limit reached: 1 task waits until ${expected.slice(-23)}$`),
    );

    await page.getByRole("link", { name: "Pools", exact: true }).click();
    const card = page.getByRole("article").filter({ has: page.getByRole("link", { name: "quota-pool" }) });
    await visible(card.getByTestId("parked-until"));
    expect(await card.getByTestId("parked-until").textContent()).toBe(expected);

    // After the reset it runs again by itself, and its page follows.
    await page.goto(taskUrl);
    await visible(page.getByTestId("task-status").getByText("completed"));
    expect(await page.getByTestId("parked-until").count()).toBe(0);
    await visible(page.getByTestId("task-result"));
    await screenshot(page, "task-resumed");
  });
});
