import { sql } from "drizzle-orm";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { type Database, MIGRATIONS_FOLDER } from "../../src/index.js";

/** How many migrations this code ships: what an empty database gets applied. */
export const MIGRATION_COUNT = readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER }).length;

export {
  createScratchPostgres,
  freshPglite,
  PG_ADMIN_URL,
  type ScratchPostgres,
} from "../../src/testing/index.js";

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
  "spend_monthly_dims",
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
