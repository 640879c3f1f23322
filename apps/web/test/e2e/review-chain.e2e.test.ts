import { simDirective } from "@claude-pool/claude-sim";
import { describe, expect, it } from "vitest";
import { screenshot, submitTask, visible } from "./browser";
import { useDashboard } from "./dashboard";

describe("review and chains", () => {
  const ui = useDashboard({
    account: { as: "reviewer", team: "Review Team", pool: { name: "review-pool", slots: 2 } },
  });

  it("rejects a review task with feedback, then approves the re-run", async () => {
    const { page } = ui;
    await submitTask(page, `draft a haiku ${simDirective({ reply: "first draft" })}`, { review: true });
    await page
      .getByRole("link", { name: /^draft a haiku/ })
      .first()
      .click();
    await page.waitForURL(/\/tasks\//);
    await visible(page.getByRole("button", { name: "Approve result" }));
    await visible(page.getByTestId("task-result").getByText("first draft"));

    await page.getByRole("textbox", { name: "Feedback" }).fill("make it about autumn");
    const firstRound = page.url();
    await page.getByRole("button", { name: "Reject with feedback" }).click();
    // The re-run is a new task in the same session, carrying the feedback; it waits for review again.
    await page.waitForURL((u) => u.toString() !== firstRound && u.pathname.startsWith("/tasks/"));
    await visible(page.getByText(/make it about autumn/).first());
    await visible(page.getByTestId("task-status").getByText("completed"));
    await page.getByRole("button", { name: "Approve result" }).click();
    await visible(page.getByText("Result approved."));
    expect(await page.getByRole("button", { name: "Approve result" }).count()).toBe(0);
    await screenshot(page, "review-approved");
  });

  it("runs a two-step chain and shows both steps complete", async () => {
    const { page } = ui;
    const poolUrl = page.url().includes("/pools/") ? page.url() : null;
    if (!poolUrl) await page.getByRole("link", { name: /Back to/ }).click();
    await page.getByRole("link", { name: "Chains" }).click();
    const builder = page.getByRole("form", { name: "Chain builder" });
    await builder.getByLabel("Step 1 name").fill("outline");
    await builder
      .getByLabel("Step 1 prompt")
      .fill(`outline a talk ${simDirective({ reply: "the outline", delayMs: 500 })}`);
    await builder.getByLabel("Step 2 name").fill("write");
    await builder.getByLabel("Step 2 prompt").fill("write the talk from {previous_output}");
    await builder.getByRole("button", { name: "Run chain" }).click();
    await page.waitForURL(/\/chains\//);
    await visible(page.getByTestId("chain-status").getByText("completed"));
    const outline = page.getByRole("listitem", { name: "Step outline" });
    const write = page.getByRole("listitem", { name: "Step write" });
    expect(await outline.getByTestId("step-status").textContent()).toBe("completed");
    expect(await write.getByTestId("step-status").textContent()).toBe("completed");
    await visible(write.getByText(/the outline/));
    await screenshot(page, "chain-completed");
  });

  it("shows the API's validation at the chain builder's field", async () => {
    const { page } = ui;
    await page.goBack();
    const builder = page.getByRole("form", { name: "Chain builder" });
    await builder.getByLabel("Step 1 name").fill("bad.name");
    await builder.getByLabel("Step 1 prompt").fill("anything");
    await builder.getByLabel("Step 2 prompt").fill("more");
    await builder.getByRole("button", { name: "Run chain" }).click();
    const field = builder.getByLabel("Step 1 name");
    await page.waitForFunction(() => document.querySelector('[aria-invalid="true"]') !== null);
    expect(await field.getAttribute("aria-invalid")).toBe("true");
    await visible(builder.getByRole("alert").filter({ hasText: /letters, digits/ }));
    await screenshot(page, "chain-validation");
  });
});
