import { simDirective } from "@claude-pool/claude-sim";
import { describe, expect, inject, it } from "vitest";
import { gzippedScripts } from "../build-output";
import { openTask, screenshot, submitTask, visible } from "./browser";
import { openCable } from "./cable";
import { useDashboard } from "./dashboard";

describe("a task page survives reloads and dropped connections", () => {
  const ui = useDashboard({
    account: { as: "reloader", team: "Reload Team", pool: { name: "reload-pool", slots: 1 } },
  });

  it("reload mid-stream: the output continues with every line once, in order", async () => {
    const { page } = ui;
    await submitTask(page, `long one ${simDirective({ delayMs: 1000, toolTurns: 6 })}`);
    await openTask(page, "running", /^long one/);
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
    const { page, poolUrl } = ui;
    await page.goto(poolUrl);
    await submitTask(page, `dropped ${simDirective({ delayMs: 1500, toolTurns: 6 })}`);
    await openTask(page, "running", /^dropped/);
    const taskPath = new URL(page.url()).pathname;
    await page.goto(poolUrl);

    // Watch the task through a connection the test can cut (same host, so the same session cookie).
    const cable = await openCable(Number(new URL(inject("webUrl")).port));
    const tab = await ui.browser.newPage();
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
    const { page } = ui;
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
