import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { buildWebIfStale } from "../build-output";
import { freePort, REPO_ROOT, SIM_BIN, startEngine, startWeb, WEB_DIR, waitForHttp } from "./servers";

declare module "vitest" {
  export interface ProvidedContext {
    webUrl: string;
    engineUrl: string;
    screenshotDir: string;
  }
}

/** A git repository for pools to work in (worktree pools need one). */
function makeRepo(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "web-e2e-repo-"));
  const git = (...args: string[]) =>
    execFileSync("git", args, {
      cwd: dir,
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: "e2e",
        GIT_AUTHOR_EMAIL: "e2e@example.com",
        GIT_COMMITTER_NAME: "e2e",
        GIT_COMMITTER_EMAIL: "e2e@example.com",
      },
    });
  git("init", "-q", "-b", "main");
  writeFileSync(path.join(dir, "README.md"), "# e2e repository\n\nhello\n");
  git("add", ".");
  git("commit", "-q", "-m", "initial");
  return dir;
}

export default async function setup(project: TestProject) {
  if (!existsSync(SIM_BIN)) {
    execFileSync("pnpm", ["--filter", "@claude-pool/claude-sim", "build"], {
      cwd: REPO_ROOT,
      stdio: "inherit",
    });
  }
  buildWebIfStale((line) => console.log(`[web e2e] ${line}`));
  const [enginePort, webPort] = [await freePort(), await freePort()];
  const engineUrl = `http://127.0.0.1:${enginePort}`;
  const webUrl = `http://127.0.0.1:${webPort}`;
  const repoDir = makeRepo();
  const engine = startEngine({ port: enginePort, webOrigin: webUrl, repoDir });
  await waitForHttp(`${engineUrl}/healthz`, engine, "the engine");
  const web = startWeb({ port: webPort, engineUrl });
  await waitForHttp(`${webUrl}/sign-in`, web, "next start");
  // next start loads each route's code on its first request: do that once here, not in a test.
  for (const path of ["/sign-up", "/pools", "/pools/x", "/tasks/x", "/chains/x", "/reports", "/settings"]) {
    await fetch(`${webUrl}${path}`).catch(() => undefined);
  }

  // This run's screenshots only.
  const screenshotDir = path.join(WEB_DIR, "test-results/screenshots");
  rmSync(screenshotDir, { recursive: true, force: true });
  mkdirSync(screenshotDir, { recursive: true });
  console.log(`[web e2e] engine ${engineUrl}, dashboard ${webUrl}; screenshots in ${screenshotDir}`);
  project.provide("webUrl", webUrl);
  project.provide("engineUrl", engineUrl);
  project.provide("screenshotDir", screenshotDir);

  return async () => {
    await Promise.all([web.stop(), engine.stop()]);
    if (process.env.WEB_E2E_LOGS) console.log(engine.output(), web.output());
  };
}
