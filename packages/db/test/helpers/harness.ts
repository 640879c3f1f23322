import type { StoreHarness } from "@claude-pool/core/testing";
import { type Database, PgStore, schema } from "../../src/index.js";

/** The conformance suite's view of a PgStore: teams are rows the auth layer would have made. */
export async function pgHarness(database: Database): Promise<StoreHarness> {
  const store = await PgStore.open(database);
  return {
    store,
    async createTeam(teamId) {
      await database.db
        .insert(schema.teams)
        .values({ id: teamId, name: teamId, slug: teamId })
        .onConflictDoNothing();
    },
    close: () => store.close(),
  };
}
