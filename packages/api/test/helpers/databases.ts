import { randomBytes } from "node:crypto";
import { createDb, type Database } from "@claude-pool/db";
import { PGlite } from "@electric-sql/pglite";
import postgres from "postgres";

/**
 * Test databases, as in packages/db/test/helpers/databases.ts: PGlite cloned from a migrated
 * template (made once per test file), or a scratch Postgres database of its own per call.
 */

export const PG_ADMIN_URL = process.env.CLAUDE_POOL_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";

let template: Promise<Blob> | undefined;

function migratedTemplate(): Promise<Blob> {
  template ??= (async () => {
    const pg = await PGlite.create();
    const database = await createDb({ pglite: pg });
    const dump = await pg.dumpDataDir("none");
    await database.close();
    return dump;
  })();
  return template;
}

/** A fresh, migrated in-memory PGlite database. */
export async function freshPglite(): Promise<Database> {
  const pg = await PGlite.create({ loadDataDir: await migratedTemplate() });
  return createDb({ pglite: pg });
}

/** A migrated database of its own on the machine's Postgres; `close()` also drops it. */
export async function scratchPostgres(label = "api"): Promise<Database> {
  const name = `cp_${label}_${process.pid}_${randomBytes(4).toString("hex")}`;
  const admin = postgres(PG_ADMIN_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  const database = await createDb({ url: url.toString(), maxConnections: 4 });
  return {
    ...database,
    async close() {
      await database.close();
      const a = postgres(PG_ADMIN_URL, { max: 1, onnotice: () => {} });
      try {
        await a.unsafe(`drop database if exists "${name}" with (force)`);
      } finally {
        await a.end();
      }
    },
  };
}
