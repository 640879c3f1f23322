import { readFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { simDirective } from "@claude-pool/claude-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createPool,
  createTeam,
  launch,
  type Page,
  screenshot,
  signUp,
  submitTask,
  uniqueEmail,
  visible,
} from "./browser";
import { WEB_DIR } from "./servers";

describe("a task page survives reloads and dropped connections", () => {
  let session: Awaited<ReturnType<typeof launch>>;
  let page: Page;

  beforeAll(async () => {
    session = await launch();
    page = await session.browser.newPage();
    await signUp(page, uniqueEmail("reloader"));
    await createTeam(page, "Reload Team");
    await createPool(page, { name: "reload-pool", slots: 1 });
  });
  afterAll(async () => {
    await session?.close();
  });

  it("reload mid-stream: the output continues with every line once, in order", async () => {
    await submitTask(page, `long one ${simDirective({ delayMs: 1000, toolTurns: 6 })}`);
    await page
      .getByRole("region", { name: "running tasks" })
      .getByRole("link", { name: /^long one/ })
      .click();
    await page.waitForURL(/\/tasks\//);
    const output = page.getByRole("list", { name: "Task output" });
    await visible(output.getByText(/sim-tool-1/).first());
    await page.reload();
    await visible(page.getByTestId("task-status").getByText("completed"));
    await visible(page.getByTestId("task-result"));
    const lines = await output.getByRole("listitem").allTextContents();
    const results = lines.filter((l) => l.startsWith("tool result"));
    expect(results).toEqual([0, 1, 2, 3, 4, 5].map((i) => `tool resultsim-tool-${i}`));
    await screenshot(page, "reloaded-stream");
  });

  it("a dropped connection reconnects without a gap or a duplicate", async () => {
    await page.getByRole("link", { name: /Back to/ }).click();
    await submitTask(page, `dropped ${simDirective({ delayMs: 1000, toolTurns: 6 })}`);
    await page
      .getByRole("region", { name: "running tasks" })
      .getByRole("link", { name: /^dropped/ })
      .click();
    await page.waitForURL(/\/tasks\//);
    const output = page.getByRole("list", { name: "Task output" });
    await visible(output.getByText(/sim-tool-1/).first());
    // Cut the network for a moment: the EventSource errors and reconnects with its last event id.
    await session.browser.setOffline(true);
    await new Promise((r) => setTimeout(r, 2500));
    await session.browser.setOffline(false);
    await visible(page.getByTestId("task-status").getByText("completed"));
    const lines = await output.getByRole("listitem").allTextContents();
    const results = lines.filter((l) => l.startsWith("tool result"));
    expect(results).toEqual([0, 1, 2, 3, 4, 5].map((i) => `tool resultsim-tool-${i}`));
    await screenshot(page, "reconnected-stream");
  });

  it("reports the pool page's first-load JavaScript, gzipped", async () => {
    await page.getByRole("link", { name: /Back to/ }).click();
    const scripts = new Set<string>();
    page.on("response", (res) => {
      const url = new URL(res.url());
      if (url.pathname.startsWith("/_next/static/") && url.pathname.endsWith(".js"))
        scripts.add(url.pathname);
    });
    await page.reload();
    await visible(page.getByRole("list", { name: "Slots" }));
    let gz = 0;
    for (const p of scripts) {
      const file = path.join(WEB_DIR, ".next/static", p.slice("/_next/static/".length));
      gz += gzipSync(readFileSync(file), { level: 9 }).length;
    }
    const kb = gz / 1024;
    console.log(`[web e2e] pool page first-load JS: ${scripts.size} files, ${kb.toFixed(1)} kB gzipped`);
    expect(scripts.size).toBeGreaterThan(0);
    expect(kb).toBeLessThan(250);
  });
});
