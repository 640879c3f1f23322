import { createScratchPostgres as scratch } from "@claude-pool/db/testing";

/** The machine's Postgres where tests create scratch databases (packages/db's test helpers). */
export { PG_ADMIN_URL, type ScratchPostgres } from "@claude-pool/db/testing";

/** An empty database of its own, so test files running at once never collide. */
export function createScratchPostgres(label: string) {
  return scratch(`engine_${label}`);
}
