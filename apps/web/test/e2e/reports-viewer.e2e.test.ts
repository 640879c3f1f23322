import { readFileSync } from "node:fs";
import { simDirective } from "@claude-pool/claude-sim";
import { afterAll, describe, expect, it } from "vitest";
import { launch, screenshot, signUp, submitTask, uniqueEmail, visible } from "./browser";
import { useDashboard } from "./dashboard";

describe("reports and roles", () => {
  const ui = useDashboard({
    account: { as: "reporter", team: "Report Team", pool: { name: "report-pool", slots: 1 } },
  });
  let viewer: Awaited<ReturnType<typeof launch>>;
  const viewerEmail = uniqueEmail("viewer");
  afterAll(async () => {
    await viewer?.close();
  });

  it("shows the spend just made on the reports page and downloads it as CSV", async () => {
    const { page } = ui;
    await submitTask(page, `count it ${simDirective({ cost: 0.25 })}`, { tags: "billing" });
    await visible(
      page.getByRole("region", { name: "completed tasks" }).getByRole("link", { name: /^count it/ }),
    );
    await page.getByRole("link", { name: "Reports" }).click();
    await visible(page.getByTestId("report-total").getByText("$0.25"));
    await visible(page.getByRole("table").getByText("$0.25"));
    await page.getByLabel("Group by").selectOption("tag");
    await visible(page.getByRole("table").getByText("billing"));

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Download CSV" }).click(),
    ]);
    const file = await download.path();
    const csv = readFileSync(file, "utf8");
    expect(csv.split("\n")[0]).toMatch(/spend/i);
    expect(csv).toContain("0.25");
    await screenshot(page, "reports");
  });

  it("a viewer sees no submit control, and the API refuses a submit anyway", async () => {
    const { page, poolUrl } = ui;
    await page.goto("/settings");
    const invite = page.getByRole("form", { name: "Invite a member" });
    await invite.getByLabel("Invite by email").fill(viewerEmail);
    await invite.getByLabel("Invited role").selectOption("viewer");
    await invite.getByRole("button", { name: "Send invitation" }).click();
    await visible(page.getByText(/Invitation sent/));

    viewer = await launch();
    const vp = await viewer.browser.newPage();
    await signUp(vp, viewerEmail, "Vera Viewer");
    await vp.goto("/settings");
    await vp.getByRole("button", { name: /Accept invitation to Report Team/ }).click();
    await visible(vp.getByText("Invitation accepted."));

    await vp.goto(poolUrl);
    await visible(vp.getByRole("heading", { level: 1, name: "report-pool" }));
    await visible(vp.getByRole("list", { name: "Slots" }));
    expect(await vp.getByRole("button", { name: "Submit task" }).count()).toBe(0);
    expect(await vp.getByRole("button", { name: "Drain pool" }).count()).toBe(0);
    expect(await vp.getByRole("form", { name: "Fan out prompts" }).count()).toBe(0);

    // The same request the submit form would send, from the viewer's signed-in browser.
    const poolId = poolUrl.split("/pools/")[1];
    const answer = await vp.evaluate(async (id) => {
      const res = await fetch("/trpc/tasks.submit", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ poolId: id, prompt: "not allowed" }),
      });
      return { status: res.status, body: await res.text() };
    }, poolId);
    expect(answer.status).toBe(403);
    expect(answer.body).toContain("FORBIDDEN");
    await screenshot(vp, "viewer-pool");
  });
});
