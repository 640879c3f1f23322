import { simDirective } from "@claude-pool/claude-sim";
import { beforeAll, describe, expect, it } from "vitest";
import { type Page, screenshot, submitTask, visible } from "./browser";
import { useDashboard } from "./dashboard";

/** What a page breaks for a keyboard, screen-reader or phone user, measured in the DOM. */
async function audit(page: Page) {
  return page.evaluate(() => {
    const shown = (el: Element) => {
      const r = (el as HTMLElement).getBoundingClientRect();
      return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== "hidden";
    };
    const text = (el: Element) =>
      ((el as HTMLElement).innerText || el.getAttribute("aria-label") || "").trim();
    const unlabelled = [...document.querySelectorAll("input, select, textarea")]
      .filter(shown)
      .filter((el) => {
        const labels = (el as HTMLInputElement).labels;
        return !(labels && [...labels].some((l) => l.innerText.trim().length > 0));
      })
      .map((el) => el.outerHTML.slice(0, 120));
    const nameless = [...document.querySelectorAll("button, a[href]")]
      .filter(shown)
      .filter((el) => text(el).length === 0)
      .map((el) => el.outerHTML.slice(0, 120));
    // WCAG 2 contrast of every visible text against the first opaque background behind it.
    const rgba = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
    const lum = ([r = 0, g = 0, b = 0]: number[]) => {
      const f = (v: number) => {
        const x = v / 255;
        return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const background = (el: Element | null): number[] => {
      for (let e = el; e; e = e.parentElement) {
        const c = rgba(getComputedStyle(e).backgroundColor);
        if (c.length === 3 || (c[3] ?? 0) > 0.99) return c;
      }
      return [255, 255, 255];
    };
    const lowContrast: string[] = [];
    for (const el of document.querySelectorAll("body *")) {
      if (el.closest("svg, [disabled], [aria-hidden='true']") || !shown(el)) continue;
      const ownText = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent?.trim());
      if (!ownText) continue;
      const s = getComputedStyle(el);
      const fg = rgba(s.color);
      const a = lum(fg);
      const b = lum(background(el));
      const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      const size = Number.parseFloat(s.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(s.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5))
        lowContrast.push(`${ratio.toFixed(2)}: ${(el as HTMLElement).innerText.slice(0, 40)}`);
    }
    return {
      unlabelled,
      nameless,
      lowContrast,
      overflow: document.documentElement.scrollWidth - window.innerWidth,
    };
  });
}

describe("accessible and usable at 1280 px and at phone width", () => {
  const ui = useDashboard({
    account: { as: "a11y", team: "A11y Team", pool: { name: "a11y-pool", slots: 2 } },
  });
  const paths: string[] = [];

  beforeAll(async () => {
    const { page, poolId } = ui;
    await submitTask(page, `check me ${simDirective({ toolTurns: 1 })}`);
    const done = page
      .getByRole("region", { name: "completed tasks" })
      .getByRole("link", { name: /^check me/ });
    await visible(done);
    const taskPath = new URL((await done.first().getAttribute("href")) ?? "/", "http://x").pathname;
    paths.push(
      "/pools",
      `/pools/${poolId}`,
      `/pools/${poolId}/chains`,
      `/pools/${poolId}/skills`,
      taskPath,
      "/reports",
      "/settings",
    );
  });

  for (const [label, width, height] of [
    ["desktop", 1280, 900],
    ["phone", 390, 844],
  ] as const) {
    it(`every control is labelled, every action named, text has contrast, nothing overflows (${label}, ${width} px)`, async () => {
      const { page } = ui;
      await page.setViewportSize({ width, height });
      for (const path of paths) {
        await page.goto(path);
        await visible(page.getByRole("heading", { level: 1 }));
        await page.waitForLoadState("networkidle").catch(() => {});
        const found = await audit(page);
        expect({ path, ...found }).toEqual({
          path,
          unlabelled: [],
          nameless: [],
          lowContrast: [],
          overflow: 0,
        });
      }
      await page.goto(paths[1] ?? "/pools");
      await visible(page.getByRole("list", { name: "Slots" }));
      await screenshot(page, `pool-page-${label}`);
    });
  }

  it("shows where the keyboard focus is", async () => {
    const { page } = ui;
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(paths[1] ?? "/pools");
    await visible(page.getByRole("button", { name: "Submit task" }));
    await page.getByRole("button", { name: "Submit task" }).focus();
    await page.keyboard.press("Shift+Tab");
    await page.keyboard.press("Tab");
    const outline = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      const s = el ? getComputedStyle(el) : null;
      return s ? { style: s.outlineStyle, width: s.outlineWidth, text: el?.innerText } : null;
    });
    expect(outline?.text).toBe("Submit task");
    expect(outline?.style).toBe("solid");
    expect(outline?.width).toBe("3px");
  });
});
