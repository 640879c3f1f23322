import type { SQL } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from "drizzle-orm/pg-core";
import type { ExtractTablesWithRelations } from "drizzle-orm/relations";
import type * as schema from "./schema/index.js";

// What every query in this package runs on. It lives apart from client.ts (which opens databases
// and migrates them) so that migrate.ts and the queries need not import the module that imports them.

export type Schema = typeof schema;
/** The Drizzle database, whichever driver is under it: every query in this package takes one. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** A database or a transaction: what a query function runs on. */
export type Executor = Db | Tx;

/**
 * Runs a raw statement and returns its rows, hiding the drivers' result shapes (postgres.js returns
 * an array, PGlite `{ rows }`). Raw rows are not mapped: bigints may come back as strings.
 */
export async function queryRows<T extends Record<string, unknown>>(on: Executor, query: SQL): Promise<T[]> {
  const result: unknown = await on.execute(query);
  if (Array.isArray(result)) return result as T[];
  if (typeof result === "object" && result !== null && "rows" in result && Array.isArray(result.rows)) {
    return result.rows as T[];
  }
  throw new Error("unexpected result shape from the database driver");
}
