import { randomBytes } from "node:crypto";
import { PGlite } from "@electric-sql/pglite";
import postgres from "postgres";
import { createDb, type Database } from "../client.js";

/**
 * Test databases for every package that tests against the store: a migrated PGlite cloned from a
 * template (made once per process), and scratch databases of their own on a real Postgres, so test
 * files running at once never collide. Exported as `@claude-pool/db/testing`.
 */

/** A database on the machine's Postgres where tests may create scratch databases. */
export const PG_ADMIN_URL = process.env.CLAUDE_POOL_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export interface ScratchPostgres {
  url: string;
  name: string;
  drop(): Promise<void>;
}

async function onAdmin(statement: string): Promise<void> {
  const admin = postgres(PG_ADMIN_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(statement);
  } finally {
    await admin.end();
  }
}

/** Creates an empty database of its own (named `cp_<label>_<pid>_<random>`); `drop()` removes it. */
export async function createScratchPostgres(label = "t"): Promise<ScratchPostgres> {
  const name = `cp_${label}_${process.pid}_${randomBytes(4).toString("hex")}`;
  await onAdmin(`create database "${name}"`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => onAdmin(`drop database if exists "${name}" with (force)`),
  };
}

/** A migrated scratch database on the machine's Postgres; `close()` also drops it. */
export async function scratchPostgresDatabase(label = "t", maxConnections = 4): Promise<Database> {
  const scratch = await createScratchPostgres(label);
  const database = await createDb({ url: scratch.url, maxConnections });
  return {
    ...database,
    async close() {
      await database.close();
      await scratch.drop();
    },
  };
}

let template: Promise<Blob> | undefined;

/** A migrated PGlite data directory, made once per process and cloned (~0.4 s) per use. */
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
