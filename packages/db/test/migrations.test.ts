import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import {
  createDb,
  DataDirInUseError,
  MIGRATIONS_FOLDER,
  migrateToLatest,
  PgStore,
  queryRows,
  SchemaTooNewError,
} from "../src/index.js";
import { MIGRATION_COUNT } from "./helpers/databases.js";
import { newTask } from "./helpers/tasks.js";

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "claude-pool-db-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("embedded PGlite", () => {
  it("uses PGlite in a data directory when no DATABASE_URL is set, and keeps every task across restarts", async () => {
    const dataDir = join(tempDir(), "data");
    const first = await createDb({ env: { CLAUDE_POOL_DATA_DIR: dataDir } });
    expect(first.kind).toBe("pglite");
    expect(first.target).toBe(`pglite:${dataDir}`);
    expect(first.migration?.applied).toBe(MIGRATION_COUNT);
    const store = await PgStore.open(first);
    await store.ensurePool({ id: "p", name: "p", config: {}, budgetCapMicros: 1_000 });
    const task = await store.insertTask(newTask("p", { prompt: "remember me" }));
    await store.appendTaskEvents(task.id, [{ kind: "system", payload: { n: 1 } }]);
    await store.close();
    await first.close();

    const second = await createDb({ dataDir });
    expect(second.migration?.applied).toBe(0);
    const again = await PgStore.open(second);
    expect(await again.getTask(task.id)).toMatchObject({ prompt: "remember me", status: "queued" });
    expect((await again.listTaskEvents(task.id)).map((e) => e.payload)).toEqual([{ n: 1 }]);
    expect((await again.getBudget("p")).capMicros).toBe(1_000);
    await again.close();
    await second.close();
  });

  it("keeps a second engine out of a data directory in use, in this process or another", async () => {
    const dataDir = join(tempDir(), "data");
    const open = await createDb({ dataDir });
    await expect(createDb({ dataDir })).rejects.toBeInstanceOf(DataDirInUseError);
    const other = await promisify(execFile)(
      process.execPath,
      ["--conditions=@claude-pool/source", "--import", "tsx", "src/cli.ts", "migrate"],
      {
        cwd: fileURLToPath(new URL("..", import.meta.url)),
        env: { ...process.env, DATABASE_URL: "", CLAUDE_POOL_DATA_DIR: dataDir },
      },
    ).catch((e: { code?: number; stderr?: string }) => e);
    expect(other).toMatchObject({ code: 1 });
    expect("stderr" in other ? other.stderr : "").toContain(`is in use by process ${process.pid}`);
    await open.close();
    // A lock left by an engine that was killed (its pid is gone) does not keep the next one out.
    writeFileSync(join(dataDir, "claude-pool.lock"), "4194303");
    const reopened = await createDb({ dataDir });
    expect(reopened.migration?.applied).toBe(0);
    await reopened.close();
  });

  it("refuses a database migrated by a newer claude-pool, and writes nothing", async () => {
    const pg = await PGlite.create();
    await pg.exec(`create schema drizzle;
      create table drizzle.__drizzle_migrations (id serial primary key, hash text not null, created_at bigint);
      insert into drizzle.__drizzle_migrations (hash, created_at) values ('from-the-future', 4102444800000);`);
    const error = await createDb({ pglite: pg, migrate: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaTooNewError);
    expect(String(error)).toMatch(/newer version.*Upgrade claude-pool; nothing was changed/);
    const tables = await pg.query<{ n: number }>(
      "select count(*)::int as n from information_schema.tables where table_schema = 'public'",
    );
    expect(tables.rows[0]?.n).toBe(0);
    const migrations = await pg.query<{ n: number }>(
      "select count(*)::int as n from drizzle.__drizzle_migrations",
    );
    expect(migrations.rows[0]?.n).toBe(1);
    await pg.close();
  });

  it("upgrades a database an older claude-pool created, keeping its data", async () => {
    // The committed migrations minus the last one: what the previous release shipped.
    const older = join(tempDir(), "drizzle");
    cpSync(MIGRATIONS_FOLDER, older, { recursive: true });
    const journalPath = join(older, "meta/_journal.json");
    const journal = JSON.parse(readFileSync(journalPath, "utf8")) as { entries: unknown[] };
    writeFileSync(journalPath, JSON.stringify({ ...journal, entries: journal.entries.slice(0, -1) }));
    const pg = await PGlite.create();
    const old = await createDb({ pglite: pg, migrate: false });
    await migrateToLatest(old.db, older);
    // Raw SQL: today's Drizzle insert would name columns the older schema does not have yet.
    await pg.query("insert into pools (id, name) values ('p', 'kept')");

    const upgraded = await createDb({ pglite: pg });
    expect(upgraded.migration?.applied).toBe(1);
    expect((await (await PgStore.open(upgraded)).getPool("p"))?.name).toBe("kept");
    await upgraded.close();
  });

  it("applies nothing the second time and agrees with drizzle-kit's bookkeeping", async () => {
    const pg = await PGlite.create({ dataDir: join(tempDir(), "d") });
    const database = await createDb({ pglite: pg });
    expect(database.migration?.applied).toBe(MIGRATION_COUNT);
    const again = await createDb({ pglite: pg });
    expect(again.migration?.applied).toBe(0);
    const rows = await queryRows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from drizzle.__drizzle_migrations`,
    );
    expect(rows[0]?.n).toBe(MIGRATION_COUNT);
    await database.close();
  });
});
