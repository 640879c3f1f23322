/**
 * The dashboard's `next build` output, for the e2e suite (which serves it) and for `pnpm bench`
 * row 12 (which weighs it): building it when stale, and the gzipped size of a page's JavaScript.
 * Node built-ins only, so the bench can import this file without the web app's dependencies.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

export const WEB_APP_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** `next build` once: skipped when the last build is newer than every source file (local reruns). Returns whether it built. */
export function buildWebIfStale(log: (line: string) => void = console.log): boolean {
  const buildId = path.join(WEB_APP_DIR, ".next/BUILD_ID");
  const sources = Math.max(
    newestMtime(path.join(WEB_APP_DIR, "src")),
    statSync(path.join(WEB_APP_DIR, "next.config.ts")).mtimeMs,
  );
  if (existsSync(buildId) && statSync(buildId).mtimeMs > sources) return false;
  log("next build …");
  execFileSync(process.execPath, [path.join(WEB_APP_DIR, "node_modules/next/dist/bin/next"), "build"], {
    cwd: WEB_APP_DIR,
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" },
  });
  return true;
}

export interface ScriptWeight {
  files: number;
  /** Sum of each file gzipped at level 9, in kB (1024 bytes). */
  gzippedKb: number;
}

/**
 * The gzipped weight of built scripts, given as the URLs or paths a browser loads them by
 * (`/_next/static/chunks/x.js`) or as the build manifests name them (`static/chunks/x.js`).
 */
export function gzippedScripts(scripts: Iterable<string>): ScriptWeight {
  let bytes = 0;
  let files = 0;
  for (const s of new Set(scripts)) {
    const rel = s.replace(/^\/?_next\//, "").replace(/^\//, "");
    bytes += gzipSync(readFileSync(path.join(WEB_APP_DIR, ".next", rel)), { level: 9 }).length;
    files++;
  }
  return { files, gzippedKb: bytes / 1024 };
}

/**
 * The scripts a first load of an app-router page fetches, read from the build: the root main files
 * (runtime, React, Next's client) and the client chunks of every layout and the page itself, from
 * the page's client-reference manifest. `page` is the route as built, e.g. `/(app)/pools/[poolId]/page`.
 */
export function firstLoadScripts(page: string): string[] {
  const next = path.join(WEB_APP_DIR, ".next");
  const build = JSON.parse(readFileSync(path.join(next, "build-manifest.json"), "utf8")) as {
    rootMainFiles: string[];
  };
  const file = path.join(next, "server/app", `${page}_client-reference-manifest.js`);
  // The manifest is a script assigning globalThis.__RSC_MANIFEST[page] = {...}: take the object.
  const text = readFileSync(file, "utf8");
  const json = text.slice(text.indexOf("= {") + 2).replace(/;\s*$/, "");
  const manifest = JSON.parse(json) as { entryJSFiles?: Record<string, string[]> };
  const entries = manifest.entryJSFiles ?? {};
  if (Object.keys(entries).length === 0)
    throw new Error(`${file}: no entryJSFiles (a Next.js build format this does not know)`);
  const chunks = Object.values(entries).flat();
  return [...new Set([...build.rootMainFiles, ...chunks])].filter((f) => f.endsWith(".js"));
}
