import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { drizzle } from "drizzle-orm/pglite";
import { MIGRATIONS_FOLDER, migrateToLatest } from "./migrate.js";

/**
 * A new PGlite data directory is copied from a tarball of an initdb'd, fully migrated database made
 * at build time (`pnpm --filter @claude-pool/db build`), instead of running initdb and every
 * migration at the engine's first start: initdb alone starts a second Postgres (and a second WASM
 * module) inside the process, ~2 s of CPU and ~400 MB of garbage before the engine is ready.
 * Resolved from src/ and dist/ alike (both sit one level below the package root).
 */
export const PGLITE_TEMPLATE_FILE = fileURLToPath(new URL("../dist/pglite-template.tar.gz", import.meta.url));

/**
 * Postgres settings for every PGlite this package opens. shared_buffers: PGlite's Postgres zeroes
 * its whole shared memory inside the WASM heap at start, so the default 128 MB is 128 MB of
 * resident memory before the first query; 16 MB (2,048 pages) holds an engine's hot tables (the
 * queue, slots, pools, rollups) many times over, and the operating system caches the files below it.
 */
export const PGLITE_START_PARAMS: string[] = [...PGlite.defaultStartParams, "-c", "shared_buffers=16MB"];

interface TemplateMeta {
  /** The @electric-sql/pglite version that made the tarball: another version may not read it. */
  pglite: string;
  /** folderMillis of the last migration inside, and how many there are. */
  latest: number;
  migrations: number;
}

function metaFile(tarball: string): string {
  return tarball.replace(/\.tar\.gz$/, ".json");
}

function pgliteVersion(): string {
  const pkg = new URL("../package.json", import.meta.resolve("@electric-sql/pglite"));
  return (JSON.parse(readFileSync(pkg, "utf8")) as { version: string }).version;
}

/** Builds the template tarball (and its .json) at `file`: what the package build runs. */
export async function writePgliteTemplate(file = PGLITE_TEMPLATE_FILE): Promise<TemplateMeta> {
  const pg = await PGlite.create({ startParams: PGLITE_START_PARAMS });
  try {
    await migrateToLatest(drizzle({ client: pg }));
    const migrations = readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER });
    const meta: TemplateMeta = {
      pglite: pgliteVersion(),
      latest: migrations.at(-1)?.folderMillis ?? 0,
      migrations: migrations.length,
    };
    const tarball = await pg.dumpDataDir("gzip");
    writeFileSync(file, Buffer.from(await tarball.arrayBuffer()));
    writeFileSync(metaFile(file), `${JSON.stringify(meta)}\n`);
    return meta;
  } finally {
    await pg.close();
  }
}

/**
 * The template for a new data directory, or null when there is none (a source checkout that was
 * never built) or it was made by another PGlite version: then PGlite runs initdb as before. A
 * template older than the newest migration is still used; createDb migrates the rest.
 */
export function readPgliteTemplate(
  file: string | null = PGLITE_TEMPLATE_FILE,
): { tarball: Blob; migrations: number; latest: number } | null {
  if (file === null || !existsSync(file) || !existsSync(metaFile(file))) return null;
  const meta = JSON.parse(readFileSync(metaFile(file), "utf8")) as TemplateMeta;
  if (meta.pglite !== pgliteVersion()) return null;
  return { tarball: new Blob([readFileSync(file)]), migrations: meta.migrations, latest: meta.latest };
}
