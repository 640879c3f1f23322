import { simDirective } from "@claude-pool/claude-sim";
import { describe, expect, it } from "vitest";
import { createPool, screenshot, submitTask, visible } from "./browser";
import { useDashboard } from "./dashboard";

/** The pool page's management side: slot identity, shared context, skills, the budget warning, tokens. */
describe("managing a pool", () => {
  const ui = useDashboard({
    account: { as: "admin", team: "Admin Team", pool: { name: "admin-pool", slots: 2, budgetUsd: 0.3 } },
  });

  it("renames a slot and gives it a role; the slot board shows it", async () => {
    const { page } = ui;
    const form = page.getByRole("form", { name: "Edit a slot" });
    await form.getByLabel("Slot to edit").selectOption({ index: 0 });
    await form.getByLabel("Slot name").fill("reviewer-1");
    await form.getByLabel("Slot role").fill("reviewer");
    await form.getByLabel("Slot description").fill("Code review specialist");
    await form.getByRole("button", { name: "Save slot" }).click();
    const slot = page.getByRole("listitem", { name: "Slot reviewer-1" });
    await visible(slot.getByText("role: reviewer"));
    await visible(slot.getByText("Code review specialist"));
  });

  it("sets and deletes shared context", async () => {
    const { page } = ui;
    const form = page.getByRole("form", { name: "Set a context entry" });
    await form.getByLabel("Context key").fill("language");
    await form.getByLabel("Context value").fill("rust");
    await form.getByRole("button", { name: "Save context" }).click();
    const table = page.getByRole("region", { name: "Shared context" }).getByRole("table");
    await visible(table.getByRole("cell", { name: "rust" }));
    await page.getByRole("button", { name: "Delete language" }).click();
    await visible(page.getByText("No shared context yet."));
  });

  it("warns when the pool's spend crosses 80% of its cap", async () => {
    const { page } = ui;
    await submitTask(page, `costly ${simDirective({ cost: 0.25 })}`);
    await visible(page.getByRole("status").filter({ hasText: /budget is 8\d% spent/ }));
    await screenshot(page, "budget-warning");
  });

  it("runs a skill through the form built from its arguments", async () => {
    const { page } = ui;
    // A pool of its own: the capped pool above is past 80% of its cap, and what is left there
    // cannot buy another task of the cost it has learned (budget admission refuses it).
    await createPool(page, { name: "skills-pool", slots: 1 });
    await page.goto(`${page.url()}/skills`);
    await page.getByRole("button", { name: "summarize", exact: true }).click();
    const form = page.getByRole("form", { name: "Run summarize" });
    await visible(form);
    const required = form.locator("input[required]");
    expect(await required.count()).toBeGreaterThan(0);
    const inputs = await form.locator("input").all();
    for (const input of inputs) await input.fill("README.md");
    await form.getByRole("button", { name: "Run summarize" }).click();
    await page.waitForURL(/\/tasks\//);
    await visible(page.getByText(/README\.md/).first());
    await screenshot(page, "skill-run");
  });

  it("creates an API token shown once, lists it, and revokes it", async () => {
    const { page } = ui;
    await page.goto("/settings");
    const form = page.getByRole("form", { name: "Create an API token" });
    await form.getByLabel("Token name").fill("ci");
    await form.getByLabel("Token role").selectOption("member");
    await form.getByRole("button", { name: "Create token" }).click();
    const token = (await page.getByTestId("new-token").textContent()) ?? "";
    expect(token.length).toBeGreaterThan(20);
    await visible(page.getByRole("button", { name: "Copy token" }));
    await visible(page.getByRole("cell", { name: "never" }));
    await page.getByRole("button", { name: "Hide token" }).click();
    await page.reload();
    // Shown once: after a reload only its first characters remain.
    expect(await page.getByText(token).count()).toBe(0);
    await page.getByRole("button", { name: "Revoke ci" }).click();
    await visible(page.getByText("revoked", { exact: true }));
    await screenshot(page, "tokens");
  });

  it("switches teams with the team switcher, and signs out", async () => {
    const { page } = ui;
    await page.goto("/settings");
    const form = page.getByRole("form", { name: "Create a team" });
    await form.getByLabel("Team name").fill("Second Team");
    await form.getByRole("button", { name: "Create team" }).click();
    await visible(page.getByRole("heading", { level: 1, name: "Settings of Second Team" }));
    await page.getByLabel("Team", { exact: true }).selectOption({ label: "Admin Team (owner)" });
    await page.getByRole("link", { name: "Pools", exact: true }).click();
    await visible(page.getByRole("heading", { name: "Pools of Admin Team" }));
    await visible(page.getByRole("link", { name: "admin-pool" }));

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/sign-in/);
    await page.goto("/pools");
    await page.waitForURL(/\/sign-in\?next=/);
    await visible(page.getByRole("button", { name: "Sign in" }));
    await screenshot(page, "signed-out");
  });
});
