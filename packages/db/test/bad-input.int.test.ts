import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, DatabaseUnreachableError, SchemaTooNewError } from "../src/index.js";
import { createScratchPostgres, MIGRATION_COUNT, type ScratchPostgres } from "./helpers/databases.js";

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL("..", import.meta.url));

/** Runs the package's CLI the way an operator would, with the given DATABASE_URL. */
async function cliMigrate(databaseUrl: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ["--conditions=@claude-pool/source", "--import", "tsx", "src/cli.ts", "migrate"],
      {
        cwd: packageDir,
        env: { ...process.env, DATABASE_URL: databaseUrl },
        timeout: 30_000,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

describe("a DATABASE_URL that does not answer", () => {
  it("names the host and says the connection was refused", async () => {
    const error = await createDb({ url: "postgres://postgres:secret@127.0.0.1:1/app" }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DatabaseUnreachableError);
    expect(String(error)).toContain(
      'cannot connect to Postgres at 127.0.0.1:1 (database "app"): connection refused',
    );
    expect(String(error)).not.toContain("secret");
  });

  it("says when the host name does not resolve", async () => {
    const error = await createDb({ url: "postgres://postgres@no-such-host.invalid:5432/app" }).catch(
      (e: unknown) => e,
    );
    expect(String(error)).toContain("no-such-host.invalid:5432");
    expect(String(error)).toContain("host name not found");
  });

  it("says when the database does not exist", async () => {
    const error = await createDb({ url: "postgres://postgres@127.0.0.1:5432/cp_missing_db_x" }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DatabaseUnreachableError);
    expect(String(error)).toMatch(/127\.0\.0\.1:5432 .*database does not exist/);
  });

  it("makes the migrate command exit non-zero with the reason", async () => {
    const result = await cliMigrate("postgres://postgres@127.0.0.1:1/app");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("cannot connect to Postgres at 127.0.0.1:1");
  });
});

describe("a Postgres database migrated by newer code", () => {
  let scratch: ScratchPostgres;
  beforeAll(async () => {
    scratch = await createScratchPostgres("newer");
    const sql = postgres(scratch.url, { onnotice: () => {} });
    await sql.unsafe(`create schema drizzle;
      create table drizzle.__drizzle_migrations (id serial primary key, hash text not null, created_at bigint);
      insert into drizzle.__drizzle_migrations (hash, created_at) values ('from-the-future', 4102444800000);`);
    await sql.end();
  });
  afterAll(async () => {
    await scratch?.drop();
  });

  it("is refused clearly, by the library and the CLI, and nothing is written", async () => {
    await expect(createDb({ url: scratch.url })).rejects.toBeInstanceOf(SchemaTooNewError);
    const result = await cliMigrate(scratch.url);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/migrated by a newer version/);
    const sql = postgres(scratch.url, { onnotice: () => {} });
    const [tables] = await sql<{ n: number }[]>`
      select count(*)::int as n from information_schema.tables where table_schema = 'public'`;
    const [migrations] = await sql<
      { n: number }[]
    >`select count(*)::int as n from drizzle.__drizzle_migrations`;
    await sql.end();
    expect(tables?.n).toBe(0);
    expect(migrations?.n).toBe(1);
  });
});

describe("engines starting together on one empty Postgres", () => {
  it("migrate it once between them", async () => {
    const scratch = await createScratchPostgres("race");
    try {
      const databases = await Promise.all(Array.from({ length: 4 }, () => createDb({ url: scratch.url })));
      expect(databases.map((d) => d.migration?.applied).sort()).toEqual([0, 0, 0, MIGRATION_COUNT]);
      await Promise.all(databases.map((d) => d.close()));
    } finally {
      await scratch.drop();
    }
  });
});
