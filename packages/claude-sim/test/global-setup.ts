import { execSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const pkgDir = dirname(dirname(fileURLToPath(import.meta.url)));

function mtime(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

/** Builds dist/ when it is missing or older than any source file, so a bare `vitest run` works. */
export default function buildSimIfStale(): void {
  const built = mtime(join(pkgDir, "dist", "cli.js"));
  const srcDir = join(pkgDir, "src");
  const newest = Math.max(...readdirSync(srcDir).map((f) => mtime(join(srcDir, f))));
  if (built === 0 || newest > built) execSync("pnpm run build", { cwd: pkgDir, stdio: "inherit" });
}
