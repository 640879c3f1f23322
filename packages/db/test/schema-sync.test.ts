import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const packageDir = fileURLToPath(new URL("..", import.meta.url));

it("has a committed migration for every change to the schema", async () => {
  const dir = mkdtempSync(join(tmpdir(), "claude-pool-schema-"));
  try {
    // drizzle-kit diffs the schema against the last committed snapshot; on a copy, so that a
    // missing migration fails here instead of being written into the package.
    cpSync(join(packageDir, "drizzle"), join(dir, "drizzle"), { recursive: true });
    const config = join(dir, "drizzle.config.json");
    writeFileSync(
      config,
      JSON.stringify({
        dialect: "postgresql",
        // drizzle-kit wants paths relative to its working directory.
        schema: relative(dir, join(packageDir, "src/schema/index.ts")),
        out: "./drizzle",
      }),
    );
    const { stdout } = await promisify(execFile)(
      join(packageDir, "node_modules/.bin/drizzle-kit"),
      ["generate", `--config=${config}`],
      { cwd: dir, timeout: 60_000 },
    );
    expect(stdout, "run `pnpm --filter @claude-pool/db db:generate` and commit the migration").toContain(
      "No schema changes",
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
