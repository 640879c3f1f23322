import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

/**
 * The import direction of DESIGN.md is a lint rule (biome.json, `noRestrictedImports` per
 * package): pool-core never imports db, api, tRPC, drizzle or Next. Biome lints a fixture placed
 * inside pool-core (the rule is scoped by path), in a directory removed afterwards.
 */
const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, "../../..");
const dir = mkdtempSync(path.join(import.meta.dirname, ".lint-fixture-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function lint(name: string, source: string): Promise<{ code: number; output: string }> {
  const file = path.join(dir, name);
  writeFileSync(file, source);
  const biome = path.join(root, "node_modules", ".bin", "biome");
  try {
    const { stdout, stderr } = await run(biome, ["lint", "--colors=off", path.relative(root, file)], {
      cwd: root,
    });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, output: `${e.stdout ?? ""}${e.stderr ?? ""}` };
  }
}

describe("the import direction lint rule", () => {
  it("fails on pool-core importing db, tRPC or drizzle, naming the rule and why", async () => {
    const { code, output } = await lint(
      "forbidden.mjs",
      'import { PgStore } from "@claude-pool/db";\nimport { initTRPC } from "@trpc/server";\nimport { sql } from "drizzle-orm";\nexport const all = [PgStore, initTRPC, sql];\n',
    );
    expect(code).not.toBe(0);
    expect(output.match(/lint\/style\/noRestrictedImports/g)).toHaveLength(3);
    expect(output).toContain("it must not import @claude-pool/db");
    expect(output).toContain("it must not import tRPC");
    expect(output).toContain("it must not import drizzle-orm");
  });

  it("passes pool-core's own kind of imports", async () => {
    const { code, output } = await lint(
      "allowed.mjs",
      'import { z } from "zod";\nimport { execa } from "execa";\nexport const all = [z, execa];\n',
    );
    expect(output).not.toContain("noRestrictedImports");
    expect(code).toBe(0);
  });
});
