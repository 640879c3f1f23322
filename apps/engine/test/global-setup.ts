import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../..", import.meta.url));

/**
 * The tests run the built `claude-pool` (dist/cli.js under plain node), so build it and what it
 * imports (core, db, api, claude-sim) first. turbo's cache makes this a no-op when nothing changed
 * (the root `pretest` has usually just done it).
 */
export default function setup(): void {
  execFileSync(
    "pnpm",
    [
      "exec",
      "turbo",
      "run",
      "build",
      "--filter=@claude-pool/engine",
      "--filter=@claude-pool/claude-sim",
      "--output-logs=errors-only",
    ],
    { cwd: root, stdio: ["ignore", "ignore", "inherit"] },
  );
}
