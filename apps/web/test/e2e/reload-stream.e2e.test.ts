import { simDirective } from "@claude-pool/claude-sim";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { gzippedScripts } from "../build-output";
import {
  createPool,
  createTeam,
  launch,
  type Page,
  screenshot,
  screenshotIfFailed,
  signUp,
  submitTask,
  uniqueEmail,
  visible,
} from "./browser";
import { openCable } from "./cable";

describe("a task page survives reloads and dropped connections", () => {
  let session: Awaited<ReturnType<typeof launch>>;
  let page: Page;
  let poolUrl = "";

  beforeAll(async () => {
    session = await launch();
    page = await session.browser.newPage();
    await signUp(page, uniqueEmail("reloader"));
    await createTeam(page, "Reload Team");
    await createPool(page, { name: "reload-pool", slots: 1 });
    poolUrl = page.url();
  });
  afterEach(async (ctx) => screenshotIfFailed(page, ctx));
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
    await visible(output.getByText(/sim-tool-2/).first());
    await page.reload();
    await visible(page.getByTestId("task-status").getByText("completed"));
    await visible(page.getByTestId("task-result"));
    const lines = await output.getByRole("listitem").allTextContents();
    const results = lines.filter((l) => l.startsWith("tool result"));
    expect(results).toEqual([1, 2, 3, 4, 5, 6].map((i) => `tool resultsim-tool-${i}`));
    await screenshot(page, "reloaded-stream");
  });

  it("a dropped connection reconnects without a gap or a duplicate", async () => {
    await page.goto(poolUrl);
    await submitTask(page, `dropped ${simDirective({ delayMs: 1500, toolTurns: 6 })}`);
    await page
      .getByRole("region", { name: "running tasks" })
      .getByRole("link", { name: /^dropped/ })
      .click();
    await page.waitForURL(/\/tasks\//);
    const taskPath = new URL(page.url()).pathname;
    await page.goto(poolUrl);

    // Watch the task through a connection the test can cut (same host, so the same session cookie).
    const cable = await openCable(Number(new URL(inject("webUrl")).port));
    const tab = await session.browser.newPage();
    try {
      const streams: Array<{ url: string; lastEventId: string | undefined }> = [];
      const seen: Promise<void>[] = [];
      tab.on("request", (req) => {
        if (!req.url().includes("/trpc/tasks.onEvents")) return;
        seen.push(
          req.allHeaders().then((h) => {
            streams.push({ url: decodeURIComponent(req.url()), lastEventId: h["last-event-id"] });
          }),
        );
      });
      await tab.goto(`http://127.0.0.1:${cable.port}${taskPath}`);
      const output = tab.getByRole("list", { name: "Task output" });
      await visible(output.getByText(/sim-tool-2/).first());
      expect(cable.cut()).toBeGreaterThan(0);
      await visible(tab.getByTestId("task-status").getByText("completed"));
      await visible(output.getByText(/sim-tool-6/).first());
      const lines = await output.getByRole("listitem").allTextContents();
      const results = lines.filter((l) => l.startsWith("tool result"));
      expect(results).toEqual([1, 2, 3, 4, 5, 6].map((i) => `tool resultsim-tool-${i}`));
      // It reconnected, asking only for what followed the last line it had.
      await Promise.all(seen);
      console.log(`[web e2e] onEvents requests: ${JSON.stringify(streams)}`);
      expect(streams.length).toBeGreaterThan(1);
      expect(
        streams.slice(1).some((r) => /"lastEventId":"\d+"/.test(r.url) || /^\d+$/.test(r.lastEventId ?? "")),
      ).toBe(true);
      await screenshot(tab, "reconnected-stream");
    } finally {
      await tab.close();
      await cable.close();
    }
  });

  it("reports the pool page's first-load JavaScript, gzipped", async () => {
    const scripts = new Set<string>();
    page.on("response", (res) => {
      const url = new URL(res.url());
      if (url.pathname.startsWith("/_next/static/") && url.pathname.endsWith(".js"))
        scripts.add(url.pathname);
    });
    await page.reload();
    await visible(page.getByRole("list", { name: "Slots" }));
    // The same measurement as `pnpm bench` row 12, which reads the list from the build manifests.
    const { gzippedKb: kb } = gzippedScripts(scripts);
    console.log(`[web e2e] pool page first-load JS: ${scripts.size} files, ${kb.toFixed(1)} kB gzipped`);
    expect(scripts.size).toBeGreaterThan(0);
    expect(kb).toBeLessThan(250);
  });
});
