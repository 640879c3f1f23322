import { describeStoreConformance } from "@claude-pool/core/testing";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createDb, type Database } from "../src/index.js";
import { createScratchPostgres, type ScratchPostgres, truncateAll } from "./helpers/databases.js";
import { pgHarness } from "./helpers/harness.js";

let scratch: ScratchPostgres;
let database: Database;

beforeAll(async () => {
  scratch = await createScratchPostgres("store");
  database = await createDb({ url: scratch.url });
});
afterAll(async () => {
  await database?.close();
  await scratch?.drop();
});

describeStoreConformance(
  "Postgres",
  async () => {
    await truncateAll(database);
    return pgHarness(database);
  },
  { describe, it, expect, beforeEach, afterEach },
);
