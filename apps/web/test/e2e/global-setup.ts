import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { freePort, REPO_ROOT, SIM_BIN, startEngine, startWeb, WEB_DIR, waitForHttp } from "./servers";

declare module "vitest" {
  export interface ProvidedContext {
    webUrl: string;
    engineUrl: string;
    screenshotDir: string;
  }
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** `next build` once: skipped when the last build is newer than every source file (local reruns). */
function buildWebIfStale() {
  const buildId = path.join(WEB_DIR, ".next/BUILD_ID");
  const sources = Math.max(
    newestMtime(path.join(WEB_DIR, "src")),
    statSync(path.join(WEB_DIR, "next.config.ts")).mtimeMs,
  );
  if (existsSync(buildId) && statSync(buildId).mtimeMs > sources) return;
  console.log("[web e2e] next build …");
  execFileSync(process.execPath, [path.join(WEB_DIR, "node_modules/next/dist/bin/next"), "build"], {
    cwd: WEB_DIR,
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" },
  });
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
  buildWebIfStale();
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
