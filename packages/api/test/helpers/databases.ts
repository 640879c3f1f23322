import type { Database } from "@claude-pool/db";
import { scratchPostgresDatabase } from "@claude-pool/db/testing";

/** Test databases: migrated PGlite clones, and scratch Postgres databases (packages/db's helpers). */
export { freshPglite, PG_ADMIN_URL } from "@claude-pool/db/testing";

/** A migrated database of its own on the machine's Postgres; `close()` also drops it. */
export function scratchPostgres(label = "api"): Promise<Database> {
  return scratchPostgresDatabase(label);
}
