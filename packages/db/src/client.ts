import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { parsePostgresUrl, resolveDataDir } from "./config.js";
import { DatabaseUnreachableError, DataDirInUseError, type PostgresLocation } from "./errors.js";
import type { Db } from "./executor.js";
import { type MigrationReport, migrateToLatest } from "./migrate.js";
import { copyPgliteTemplate, PGLITE_START_PARAMS } from "./pglite-template.js";
import * as schema from "./schema/index.js";

export interface CreateDbOptions {
  /** A postgres:// or postgresql:// URL. Defaults to `DATABASE_URL`; when neither is set, PGlite is used. */
  url?: string;
  /**
   * PGlite data directory (default `CLAUDE_POOL_DATA_DIR`, else `.claude-pool/data`). A relative path
   * resolves against the workspace root (see `resolveDataDir`), never the directory a script runs in.
   */
  dataDir?: string;
  /** Use this PGlite instance instead of opening one (tests clone a migrated template). */
  pglite?: PGlite;
  /** Apply pending migrations (default true). */
  migrate?: boolean;
  /** Seconds to wait for Postgres to answer before giving up (default 10). */
  connectTimeoutSeconds?: number;
  /** Maximum postgres.js connections (default 10). */
  maxConnections?: number;
  /** Environment to read `DATABASE_URL`/`CLAUDE_POOL_DATA_DIR` from (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /**
   * The data directory a new PGlite one is copied from (default the build's, see
   * pglite-template.ts); null runs initdb and every migration instead.
   */
  pgliteTemplate?: string | null;
}

/** An open database: the Drizzle handle plus what Drizzle does not abstract (LISTEN, closing). */
export interface Database {
  kind: "pglite" | "postgres";
  db: Db;
  /** Where the data lives, for messages: `pglite:<dir>` or `postgres://host:port/db` (no password). */
  target: string;
  /** What `createDb` migrated (null when it was asked not to). */
  migration: MigrationReport | null;
  /** Subscribes to a NOTIFY channel; resolves once the LISTEN is active. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/**
 * Opens the database the engine should use: Postgres when a URL is given (or `DATABASE_URL` is set),
 * else PGlite in a data directory. Checks that it answers, then applies pending migrations, refusing
 * a database whose schema is newer than this code. Throws InvalidDatabaseUrlError (before any
 * connection) for a URL that is not postgres:// or postgresql://.
 *
 * @example
 * const database = await createDb(); // PGlite in .claude-pool/data
 * const store = await PgStore.open(database);
 */
export async function createDb(options: CreateDbOptions = {}): Promise<Database> {
  const env = options.env ?? process.env;
  const url = options.url ?? (env.DATABASE_URL || undefined);
  const setting = options.url === undefined ? "DATABASE_URL" : "options.url";
  const { database, templateMigrations } =
    url !== undefined && options.pglite === undefined
      ? { database: await openPostgres(url, parsePostgresUrl(url, setting), options), templateMigrations: 0 }
      : await openPglite(options, env);
  if (options.migrate ?? true) {
    try {
      const report = await migrateToLatest(database.db);
      // A directory copied from the template got the template's migrations in this call too.
      database.migration = { ...report, applied: report.applied + templateMigrations };
    } catch (error) {
      // A PGlite instance the caller handed in stays theirs to inspect and close.
      if (options.pglite === undefined) await database.close();
      throw error;
    }
  }
  return database;
}

async function openPglite(
  options: CreateDbOptions,
  env: NodeJS.ProcessEnv,
): Promise<{ database: Database; templateMigrations: number }> {
  let client = options.pglite;
  let templateMigrations = 0;
  let target = "pglite:(instance)";
  let releaseLock = () => {};
  if (!client) {
    const dataDir = resolveDataDir(options.dataDir ?? (env.CLAUDE_POOL_DATA_DIR || undefined));
    mkdirSync(dataDir, { recursive: true });
    releaseLock = lockDataDir(dataDir);
    try {
      if (!existsSync(join(dataDir, "PG_VERSION"))) {
        templateMigrations = copyPgliteTemplate(dataDir, options.pgliteTemplate) ?? 0;
      }
      client = await PGlite.create({ dataDir, startParams: PGLITE_START_PARAMS });
    } catch (error) {
      releaseLock();
      throw error;
    }
    target = `pglite:${dataDir}`;
  }
  const pg = client;
  const database: Database = {
    kind: "pglite",
    migration: null,
    db: drizzlePglite({ client: pg, schema }),
    target,
    async listen(channel, onPayload) {
      const unlisten = await pg.listen(channel, onPayload);
      return async () => {
        if (!pg.closed) await unlisten();
      };
    },
    async close() {
      if (!pg.closed) await pg.close();
      releaseLock();
    },
  };
  return { database, templateMigrations };
}

/**
 * PGlite is a single-process database: a second process opening the same directory would corrupt
 * it. A lock file holding the owner's pid keeps a second engine out; a stale one (dead pid) is taken.
 */
function lockDataDir(dataDir: string): () => void {
  const lockPath = join(dataDir, "claude-pool.lock");
  if (heldDataDirs.has(dataDir)) throw new DataDirInUseError(dataDir, process.pid);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lockPath, String(process.pid), { flag: "wx" });
      heldDataDirs.add(dataDir);
      return () => {
        heldDataDirs.delete(dataDir);
        rmSync(lockPath, { force: true });
      };
    } catch (error) {
      if (!(error instanceof Error && "code" in error && error.code === "EEXIST")) throw error;
      const owner = Number(readFileSync(lockPath, "utf8").trim());
      // Our own pid in a lock we do not hold is a previous life of this process (pid 1 in a container).
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
        throw new DataDirInUseError(dataDir, owner);
      }
      rmSync(lockPath, { force: true });
    }
  }
  throw new DataDirInUseError(dataDir, null);
}

/** Data directories this process has open. */
const heldDataDirs = new Set<string>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error instanceof Error && "code" in error && error.code === "EPERM";
  }
}

async function openPostgres(
  url: string,
  where: PostgresLocation,
  options: CreateDbOptions,
): Promise<Database> {
  let sql: postgres.Sql;
  try {
    sql = postgres(url, {
      max: options.maxConnections ?? 10,
      connect_timeout: options.connectTimeoutSeconds ?? 10,
      onnotice: () => {},
    });
  } catch (error) {
    // A URL that parses but that postgres.js still cannot use (a bad port, say).
    throw new DatabaseUnreachableError(where, `the URL is not usable: ${String(error)}`, { cause: error });
  }
  try {
    await sql`select 1`;
  } catch (error) {
    await sql.end({ timeout: 0 }).catch(() => {});
    throw new DatabaseUnreachableError(where, describeConnectError(error), { cause: error });
  }
  return {
    kind: "postgres",
    migration: null,
    db: drizzlePostgres({ client: preparedStatements(sql), schema }),
    target: `postgres://${where.host}:${where.port}/${where.database}`,
    async listen(channel, onPayload) {
      const sub = await sql.listen(channel, onPayload);
      return () => sub.unlisten();
    },
    async close() {
      await sql.end({ timeout: 5 });
    },
  };
}

function describeConnectError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = "code" in error && typeof error.code === "string" ? error.code : undefined;
  switch (code) {
    case "ECONNREFUSED":
      return "connection refused (is Postgres running and listening on that port?)";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "host name not found";
    case "CONNECT_TIMEOUT":
    case "ETIMEDOUT":
      return "no answer before the connect timeout";
    case "28P01":
    case "28000":
      return `authentication failed: ${error.message}`;
    case "3D000":
      return `database does not exist: ${error.message}`;
    default:
      return code ? `${code}: ${error.message}` : error.message;
  }
}

/**
 * Drizzle asks postgres.js for an unnamed (unprepared) statement on every query. postgres.js then
 * sends a parameterised statement in two round trips (Parse/Describe, wait for the parameter
 * types, then Bind/Execute) and never pipelines it, and Postgres parses and plans it every time:
 * for the store's multi-CTE claim and settlement that was ~30 % of the database's CPU per task
 * (bench row 5). Here every statement outside a transaction is prepared once per connection and
 * reused (postgres.js keys them by text and parameter types, and re-prepares one whose cached plan
 * a migration invalidated). The store's statements are
 * parameterised, so the set of texts stays small. Transactions (drizzle's `transaction`) run on
 * postgres.js's own handle and are not affected.
 */
function preparedStatements(sql: postgres.Sql): postgres.Sql {
  const unsafe = sql.unsafe.bind(sql);
  const prepared: typeof sql.unsafe = (query, parameters, queryOptions) =>
    unsafe(query, parameters, { ...queryOptions, prepare: true });
  return Object.assign(sql, { unsafe: prepared });
}
