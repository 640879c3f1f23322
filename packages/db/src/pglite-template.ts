import { copyFileSync, cpSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { drizzle } from "drizzle-orm/pglite";
import { MIGRATIONS_FOLDER, migrateToLatest } from "./migrate.js";

/**
 * A new PGlite data directory is copied from an initdb'd, fully migrated data directory made at
 * build time (`pnpm --filter @claude-pool/db build`) instead of running initdb and every migration
 * at the engine's first start: initdb starts a second Postgres (a second WASM module) inside the
 * process, ~2 s of CPU and ~400 MB of garbage before the engine is ready. A plain directory copied
 * with node:fs, not PGlite's `loadDataDir` tarball, which PGlite unpacks file by file in JS (~1 s of
 * CPU and ~100 MB of buffers). Resolved from src/ and dist/ alike (both one level below the root).
 */
export const PGLITE_TEMPLATE_DIR = fileURLToPath(new URL("../dist/pglite-template", import.meta.url));

/**
 * Postgres settings for every PGlite this package opens. shared_buffers: PGlite's Postgres zeroes
 * its whole shared memory inside the WASM heap at start, so the default 128 MB is 128 MB of
 * resident memory before the first query (16 MB: 29 MB of touched WASM heap; 8 MB: 21 MB). 8 MB
 * (1,024 pages) still holds an engine's hot tables (the queue, slots, pools, rollups) several times
 * over; a page read past it is a read from the operating system's page cache, not from disk.
 */
export const PGLITE_START_PARAMS: string[] = [...PGlite.defaultStartParams, "-c", "shared_buffers=8MB"];

interface TemplateMeta {
  /** The @electric-sql/pglite version that made the directory: another version may not read it. */
  pglite: string;
  /** folderMillis of the last migration inside, and how many there are. */
  latest: number;
  migrations: number;
}

const metaFile = (dir: string) => `${dir}.json`;

function pgliteVersion(): string {
  const pkg = new URL("../package.json", import.meta.resolve("@electric-sql/pglite"));
  return (JSON.parse(readFileSync(pkg, "utf8")) as { version: string }).version;
}

/** Builds the template directory (and its .json beside it) at `dir`: what the package build runs. */
export async function writePgliteTemplate(dir = PGLITE_TEMPLATE_DIR): Promise<TemplateMeta> {
  rmSync(dir, { recursive: true, force: true });
  rmSync(metaFile(dir), { force: true });
  const pg = await PGlite.create({ dataDir: dir, startParams: PGLITE_START_PARAMS });
  try {
    await migrateToLatest(drizzle({ client: pg }));
  } finally {
    await pg.close(); // a clean shutdown: a checkpoint, nothing to replay in a copy
  }
  const migrations = readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER });
  const meta: TemplateMeta = {
    pglite: pgliteVersion(),
    latest: migrations.at(-1)?.folderMillis ?? 0,
    migrations: migrations.length,
  };
  // The .json last: a build that stopped half-way leaves no template a createDb would use.
  writeFileSync(metaFile(dir), `${JSON.stringify(meta)}\n`);
  return meta;
}

/**
 * Copies the template into `dataDir` (which has no database yet) and returns how many migrations it
 * holds, or returns null, copying nothing, when there is none (a source checkout that was never
 * built) or another PGlite version made it: then PGlite runs initdb as before. PG_VERSION, which
 * PGlite takes as "a database is here", is copied last, so a copy cut short is redone next start.
 * A template older than the newest migration is still used; createDb migrates the rest.
 */
export function copyPgliteTemplate(dataDir: string, dir: string | null = PGLITE_TEMPLATE_DIR): number | null {
  if (dir === null || !existsSync(metaFile(dir)) || !existsSync(join(dir, "PG_VERSION"))) return null;
  const meta = JSON.parse(readFileSync(metaFile(dir), "utf8")) as TemplateMeta;
  if (meta.pglite !== pgliteVersion()) return null;
  cpSync(dir, dataDir, { recursive: true, filter: (from) => from !== join(dir, "PG_VERSION") });
  copyFileSync(join(dir, "PG_VERSION"), join(dataDir, "PG_VERSION"));
  return meta.migrations;
}
