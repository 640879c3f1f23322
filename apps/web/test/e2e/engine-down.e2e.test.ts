import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launch, screenshot, visible } from "./browser";
import { freePort, type Proc, startWeb, waitForHttp } from "./servers";

/** The dashboard with no engine behind it says so, in words, instead of a blank page or a stack. */
describe("when the engine is unreachable", () => {
  let web: Proc;
  let url = "";
  let session: Awaited<ReturnType<typeof launch>>;

  beforeAll(async () => {
    const [port, dead] = [await freePort(), await freePort()];
    url = `http://127.0.0.1:${port}`;
    web = startWeb({ port, engineUrl: `http://127.0.0.1:${dead}` });
    await waitForHttp(`${url}/sign-in`, web, "next start");
    session = await launch();
  });
  afterAll(async () => {
    await session?.close();
    await web?.stop();
  });

  it("shows an error naming the engine, with a retry button, on the app pages and at sign-in", async () => {
    const page = await session.browser.newPage();
    await page.goto(`${url}/pools`);
    const alert = page.getByRole("alert").filter({ hasText: "Cannot reach the engine" });
    await visible(alert.getByText("Cannot reach the engine"));
    expect(await alert.textContent()).toMatch(/engine at http:\/\/127\.0\.0\.1:\d+ is not reachable/);
    await visible(page.getByRole("button", { name: "Try again" }));
    await screenshot(page, "engine-down");

    await page.goto(`${url}/sign-in`);
    await page.getByLabel("Email").fill("nobody@example.com");
    await page.getByLabel("Password").fill("correct-horse-battery");
    await page.getByRole("button", { name: "Sign in" }).click();
    await visible(
      page.getByRole("alert").filter({ hasText: /engine at http:\/\/127\.0\.0\.1:\d+ is not reachable/ }),
    );
  });
});
