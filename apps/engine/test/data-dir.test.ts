import path from "node:path";
import { resolveDataDir } from "@claude-pool/db";
import { describe, expect, it } from "vitest";
import { loadServeConfig } from "../src/config/serve-config.js";

/**
 * Issue 13, defect 7: one rule for the data dir everywhere. The engine's `--data-dir` /
 * `CLAUDE_POOL_DATA_DIR` (serve, start, admin create) resolves as @claude-pool/db's `db:migrate`
 * does, so wherever in the repository the engine starts, it opens the database `db:migrate` made.
 */
const ROOT = path.resolve(import.meta.dirname, "../../..");
const dataDirFrom = (cwd: string, env: NodeJS.ProcessEnv = {}) => loadServeConfig({}, env, cwd).dataDir;

describe("the engine's data dir", () => {
  it("is <workspace root>/.claude-pool/data from the root, from apps/engine, and for db:migrate in packages/db", () => {
    const expected = path.join(ROOT, ".claude-pool/data");
    expect(dataDirFrom(ROOT)).toBe(expected);
    expect(dataDirFrom(path.join(ROOT, "apps/engine"))).toBe(expected);
    expect(resolveDataDir(undefined, path.join(ROOT, "packages/db"))).toBe(expected);
  });

  it("resolves a relative CLAUDE_POOL_DATA_DIR or --data-dir against the workspace root, and keeps an absolute one", () => {
    const env = { CLAUDE_POOL_DATA_DIR: "var/pool" };
    expect(dataDirFrom(path.join(ROOT, "apps/engine/src"), env)).toBe(path.join(ROOT, "var/pool"));
    expect(loadServeConfig({ "data-dir": "elsewhere" }, env, path.join(ROOT, "apps")).dataDir).toBe(
      path.join(ROOT, "elsewhere"),
    );
    expect(dataDirFrom(path.join(ROOT, "apps/engine"), { CLAUDE_POOL_DATA_DIR: "/srv/pool" })).toBe(
      "/srv/pool",
    );
  });
});
