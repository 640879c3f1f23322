import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import { type MigrationMeta, readMigrationFiles } from "drizzle-orm/migrator";
import { SchemaTooNewError } from "./errors.js";
import { type Executor, queryRows } from "./executor.js";

/** The committed drizzle-kit output (SQL + meta/_journal.json). */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL("../drizzle", import.meta.url));

// Any constant: engines starting together on one Postgres take turns migrating.
const MIGRATION_LOCK_KEY = 0x636c_706f;

export interface MigrationReport {
  applied: number;
  latest: string;
}

/**
 * Brings the schema up to this code's latest migration, in one transaction under an advisory lock.
 * Uses drizzle-kit's bookkeeping table (`drizzle.__drizzle_migrations`), so `drizzle-kit migrate`
 * agrees with it. Refuses, before writing anything, a database that has a migration newer than this
 * code's latest (a newer claude-pool migrated it): running old code on a newer schema corrupts data.
 */
export async function migrateToLatest(db: Executor, folder = MIGRATIONS_FOLDER): Promise<MigrationReport> {
  const migrations = readMigrationFiles({ migrationsFolder: folder });
  const latest = migrations.at(-1);
  if (!latest) throw new Error(`no migrations found in ${folder}`);
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
    const applied = await readAppliedMigrations(tx);
    refuseUnknownMigrations(applied, migrations);
    await tx.execute(sql`create schema if not exists drizzle`);
    await tx.execute(sql`create table if not exists drizzle.__drizzle_migrations (
      id serial primary key, hash text not null, created_at bigint)`);
    const lastApplied = Math.max(0, ...applied.map((m) => m.createdAt));
    let count = 0;
    for (const migration of migrations) {
      if (migration.folderMillis <= lastApplied) continue;
      for (const statement of migration.sql) {
        if (statement.trim()) await tx.execute(sql.raw(statement));
      }
      await tx.execute(sql`insert into drizzle.__drizzle_migrations (hash, created_at)
        values (${migration.hash}, ${migration.folderMillis})`);
      count++;
    }
    return { applied: count, latest: String(latest.folderMillis) };
  });
}

interface AppliedMigration {
  hash: string;
  createdAt: number;
}

async function readAppliedMigrations(on: Executor): Promise<AppliedMigration[]> {
  const [exists] = await queryRows<{ table: string | null }>(
    on,
    sql`select to_regclass('drizzle.__drizzle_migrations')::text as "table"`,
  );
  if (!exists?.table) return [];
  const rows = await queryRows<{ hash: string; created_at: string | number }>(
    on,
    sql`select hash, created_at from drizzle.__drizzle_migrations order by created_at`,
  );
  return rows.map((r) => ({ hash: r.hash, createdAt: Number(r.created_at) }));
}

function refuseUnknownMigrations(applied: AppliedMigration[], known: MigrationMeta[]): void {
  // Newer means applied after this code's latest migration was created (drizzle-kit orders by
  // creation time too). A known migration's hash may differ from an edited file; that is not refused.
  const latestKnown = Math.max(...known.map((m) => m.folderMillis));
  const unknown = applied.filter((m) => m.createdAt > latestKnown);
  const first = unknown[0];
  if (!first) return;
  throw new SchemaTooNewError(
    `the database has ${unknown.length} migration(s) this claude-pool does not know ` +
      `(the first created at ${new Date(first.createdAt).toISOString()}, this code's latest at ` +
      `${new Date(latestKnown).toISOString()}): it was migrated by a newer version. ` +
      "Upgrade claude-pool; nothing was changed.",
  );
}
