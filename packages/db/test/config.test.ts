import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { findWorkspaceRoot, parsePostgresUrl, resolveDataDir } from "../src/config.js";
import { InvalidDatabaseUrlError } from "../src/errors.js";

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL("..", import.meta.url));
const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));

interface Exit {
  code: number;
  stdout: string;
  stderr: string;
}

async function exitOf(file: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Exit> {
  try {
    const { stdout, stderr } = await run(file, args, {
      cwd,
      env: { ...process.env, ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  try {
    rmdirSync(join(repoRoot, ".claude-pool")); // only if the test made it and left it empty
  } catch {
    // not empty (a developer's own data) or absent
  }
});

const NOT_A_URL =
  'DATABASE_URL is not a URL (got "notaurl"): expected a postgres:// or postgresql:// URL, e.g. ' +
  "postgres://user:password@localhost:5432/claude_pool; unset it to use the embedded PGlite database";
const MYSQL =
  'DATABASE_URL uses "mysql" (got "mysql://app:***@db.example.com:3306/pool"), but claude-pool stores ' +
  "its data in Postgres only: expected a postgres:// or postgresql:// URL, e.g. " +
  "postgres://user:password@localhost:5432/claude_pool; unset it to use the embedded PGlite database";

describe("DATABASE_URL", () => {
  it("refuses a value that is not a URL, and one for another database, naming the variable and what it accepts", () => {
    expect(() => parsePostgresUrl("notaurl", "DATABASE_URL")).toThrow(NOT_A_URL);
    const error = (() => {
      try {
        parsePostgresUrl("mysql://app:hunter2@db.example.com:3306/pool", "DATABASE_URL");
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InvalidDatabaseUrlError);
    expect(error).toMatchObject({ code: "DB_INVALID_URL", setting: "DATABASE_URL", message: MYSQL });
    expect(String(error)).not.toContain("hunter2");
  });

  it("accepts postgres:// and postgresql:// URLs and says where they point", () => {
    expect(parsePostgresUrl("postgres://u:p@db:6543/app", "DATABASE_URL")).toEqual({
      host: "db",
      port: 6543,
      database: "app",
    });
    expect(parsePostgresUrl("postgresql://u@localhost/app", "options.url")).toEqual({
      host: "localhost",
      port: 5432,
      database: "app",
    });
  });

  it("makes db:migrate exit 1 with that one line and no stack trace", async () => {
    for (const [url, message] of [
      ["notaurl", NOT_A_URL],
      ["mysql://app:hunter2@db.example.com:3306/pool", MYSQL],
    ] as const) {
      const exit = await exitOf(
        process.execPath,
        ["--conditions=@claude-pool/source", "--import", "tsx", "src/cli.ts", "migrate"],
        packageDir,
        {
          DATABASE_URL: url,
        },
      );
      expect(exit).toEqual({ code: 1, stdout: "", stderr: `claude-pool: ${message}\n` });
    }
  });
});

describe("the data directory", () => {
  function workspace(): string {
    const root = mkdtempSync(join(tmpdir(), "claude-pool-ws-"));
    dirs.push(root);
    writeFileSync(join(root, "pnpm-workspace.yaml"), "packages:\n  - packages/*\n");
    mkdirSync(join(root, "packages/db"), { recursive: true });
    return root;
  }

  it("resolves a relative path against the workspace root, wherever in the workspace the program runs", () => {
    const root = workspace();
    expect(findWorkspaceRoot(join(root, "packages/db"))).toBe(root);
    expect(resolveDataDir(undefined, join(root, "packages/db"))).toBe(join(root, ".claude-pool/data"));
    expect(resolveDataDir(undefined, root)).toBe(join(root, ".claude-pool/data"));
    expect(resolveDataDir("var/pg", join(root, "packages/db"))).toBe(join(root, "var/pg"));
    expect(resolveDataDir("/srv/pool-data", join(root, "packages/db"))).toBe("/srv/pool-data");
  });

  it("resolves against the working directory outside any workspace", () => {
    const dir = mkdtempSync(join(tmpdir(), "claude-pool-nows-"));
    dirs.push(dir);
    // The temp dir's ancestors hold no workspace (tmpdir is outside this repository).
    expect(findWorkspaceRoot(dir)).toBeUndefined();
    expect(resolveDataDir(undefined, dir)).toBe(join(dir, ".claude-pool/data"));
  });

  it("is git-ignored at any depth, so a data dir made inside a package is never committed", async () => {
    for (const dir of [
      ".claude-pool/data",
      "packages/db/.claude-pool/data",
      "apps/engine/.claude-pool/data",
    ]) {
      const { stdout } = await run("git", ["check-ignore", "--no-index", `${dir}/PG_VERSION`], {
        cwd: repoRoot,
      });
      expect(stdout.trim()).toBe(`${dir}/PG_VERSION`);
    }
  });

  it("is the same directory for `pnpm --filter @claude-pool/db db:migrate` and a program run from the repository root", async () => {
    const relative = `.claude-pool/test-${process.pid}-${Date.now()}/data`;
    dirs.push(join(repoRoot, relative, ".."));
    const env = { DATABASE_URL: "", CLAUDE_POOL_DATA_DIR: relative };
    const migrate = await exitOf(
      "pnpm",
      ["--silent", "--filter", "@claude-pool/db", "db:migrate"],
      repoRoot,
      env,
    );
    expect(migrate.stderr).toBe("");
    expect(migrate.code).toBe(0);
    const expected = join(repoRoot, relative);
    expect(migrate.stdout).toContain(`pglite:${expected}: schema up to date`);
    const program = [
      'import { createDb } from "./packages/db/src/index.ts";',
      "const database = await createDb();",
      "console.log(database.target, database.migration?.applied);",
      "await database.close();",
    ].join("\n");
    const root = await exitOf(
      process.execPath,
      ["--conditions=@claude-pool/source", "--import", "tsx", "--input-type=module", "-e", program],
      repoRoot,
      env,
    );
    expect(root).toMatchObject({ code: 0, stdout: `pglite:${expected} 0\n` });
  }, 120_000); // two processes, one of them creating a PGlite database (initdb), on a busy machine
});
