import { randomBytes } from "node:crypto";
import { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import { readMigrationFiles } from "drizzle-orm/migrator";
import postgres from "postgres";
import { createDb, type Database, MIGRATIONS_FOLDER } from "../../src/index.js";

/** How many migrations this code ships: what an empty database gets applied. */
export const MIGRATION_COUNT = readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER }).length;

/** A database on the machine's Postgres where tests may create scratch databases. */
export const PG_ADMIN_URL = process.env.CLAUDE_POOL_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export interface ScratchPostgres {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** Creates an empty database of its own, so test files running at once never collide. */
export async function createScratchPostgres(label = "t"): Promise<ScratchPostgres> {
  const name = `cp_${label}_${process.pid}_${randomBytes(4).toString("hex")}`;
  const admin = postgres(PG_ADMIN_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const a = postgres(PG_ADMIN_URL, { max: 1, onnotice: () => {} });
      try {
        await a.unsafe(`drop database if exists "${name}" with (force)`);
      } finally {
        await a.end();
      }
    },
  };
}

let template: Promise<Blob> | undefined;

/** A migrated PGlite data directory, made once per test file and cloned (~0.4 s) per use. */
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

const TABLES = [
  "task_diffs",
  "task_events",
  "chain_steps",
  "chains",
  "tasks",
  "slots",
  "context_entries",
  "spend_daily",
  "spend_daily_tags",
  "spend_daily_dims",
  "skills",
  "pools",
  "api_tokens",
  "invitations",
  "memberships",
  "sessions",
  "accounts",
  "verifications",
  "users",
  "teams",
];

/** Empties every table (and restarts `tasks.seq`), for suites that reuse one database. */
export async function truncateAll(database: Database): Promise<void> {
  await database.db.execute(sql.raw(`truncate table ${TABLES.join(", ")} restart identity cascade`));
}

/** Polls until `check` passes or the time is up; returns the last value. */
export async function eventually<T>(
  read: () => T | Promise<T>,
  check: (value: T) => boolean,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 10));
  }
}
