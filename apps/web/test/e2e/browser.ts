import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from "playwright-core";
import { inject } from "vitest";

/** Waits until the locator is visible (playwright-core has no `expect`; this is its auto-wait). */
export async function visible(locator: Locator): Promise<Locator> {
  await locator.first().waitFor({ state: "visible" });
  return locator;
}

/**
 * Waits until React has hydrated the element (its props are attached to the DOM node): a click
 * before that reaches no handler, and a form would be submitted natively by the browser instead.
 * Under CI's load the page's scripts can arrive seconds after its HTML.
 */
export async function hydrated(locator: Locator): Promise<Locator> {
  const handle = await locator.first().elementHandle();
  await handle
    .ownerFrame()
    .then((frame) =>
      frame?.waitForFunction((el) => Object.keys(el).some((k) => k.startsWith("__reactProps$")), handle),
    );
  return locator;
}

/** Debian's Chromium, never a downloaded one, with a fresh profile each launch. */
export async function launch(): Promise<{ browser: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(path.join(tmpdir(), "web-e2e-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
    baseURL: inject("webUrl"),
  });
  // Generous: CI shares two cores with every other package's tests.
  context.setDefaultTimeout(120_000);
  context.setDefaultNavigationTimeout(120_000);
  return {
    browser: context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  const file = path.join(inject("screenshotDir"), `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`[web e2e] screenshot ${file}`);
  return file;
}

/** For `afterEach`: a failed test leaves a screenshot of where it stopped. */
export async function screenshotIfFailed(
  page: Page | undefined,
  ctx: { task: { name: string; result?: { state?: string } } },
) {
  if (page && ctx.task.result?.state === "fail") {
    await screenshot(page, `FAILED-${ctx.task.name.replace(/[^a-z0-9]+/gi, "-").slice(0, 60)}`).catch(
      () => {},
    );
  }
}

let counter = 0;
export function uniqueEmail(prefix: string): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}@example.com`;
}

export async function signUp(page: Page, email: string, name = "E2E User"): Promise<void> {
  await page.goto("/sign-up");
  await hydrated(page.getByRole("button", { name: "Sign up" }));
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("correct-horse-battery");
  await page.getByRole("button", { name: "Sign up" }).click();
  await page.waitForURL(/\/settings|\/pools/);
}

export async function createTeam(page: Page, name: string): Promise<void> {
  await page.goto("/pools");
  const form = await hydrated(page.getByRole("form", { name: "Create a team" }));
  await form.getByLabel("Team name").fill(name);
  await page.getByRole("button", { name: "Create team" }).click();
  await visible(page.getByRole("heading", { name: `Pools of ${name}` }));
}

export async function createPool(
  page: Page,
  opts: {
    name: string;
    slots?: number;
    budgetUsd?: number;
    worktree?: boolean;
    permissionMode?: string;
    /** With `permissionMode: "bypassPermissions"`: the explicit opt-in the API asks for. */
    allowBypass?: boolean;
  },
): Promise<string> {
  await page.goto("/pools");
  const form = await hydrated(page.getByRole("form", { name: "Create a pool" }));
  await form.getByLabel("Pool name").fill(opts.name);
  await form.getByLabel("Slots").fill(String(opts.slots ?? 2));
  if (opts.budgetUsd !== undefined) await form.getByLabel("Budget cap (USD)").fill(String(opts.budgetUsd));
  if (opts.permissionMode) await form.getByLabel("Permission mode").selectOption(opts.permissionMode);
  if (opts.worktree) await form.getByLabel("Each slot in its own git worktree").check();
  if (opts.allowBypass) await form.getByLabel(/^Allow bypassPermissions/).check();
  await form.getByRole("button", { name: "Create pool" }).click();
  await page.waitForURL(/\/pools\/[^/]+$/);
  await visible(page.getByRole("heading", { level: 1, name: opts.name }));
  return page.url().split("/pools/")[1] ?? "";
}

export async function submitTask(page: Page, prompt: string, opts: { review?: boolean; tags?: string } = {}) {
  const form = await hydrated(page.getByRole("form", { name: "Submit a task" }));
  await form.getByLabel("Prompt").fill(prompt);
  if (opts.tags) await form.getByLabel("Tags").fill(opts.tags);
  if (opts.review) await form.getByLabel("Hold the result for review").check();
  await form.getByRole("button", { name: "Submit task" }).click();
}

/** Opens a task from the pool page's task board: its link in the column of `status`. */
export async function openTask(page: Page, status: "running" | "completed", prompt: RegExp): Promise<void> {
  await page
    .getByRole("region", { name: `${status} tasks` })
    .getByRole("link", { name: prompt })
    .click();
  await page.waitForURL(/\/tasks\//);
}

export type { Browser, BrowserContext, Locator, Page };
