import { sql } from "drizzle-orm";
import type { Executor } from "../executor.js";

/** Throws when the database does not answer (for health checks). */
export async function pingDatabase(db: Executor): Promise<void> {
  await db.execute(sql`select 1`);
}
