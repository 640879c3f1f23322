import { describeStoreConformance } from "@claude-pool/core/testing";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../src/index.js";
import { freshPglite, truncateAll } from "./helpers/databases.js";
import { pgHarness } from "./helpers/harness.js";

let database: Database;

beforeAll(async () => {
  database = await freshPglite();
});
afterAll(async () => {
  await database?.close();
});

describeStoreConformance(
  "PGlite",
  async () => {
    await truncateAll(database);
    return pgHarness(database);
  },
  { describe, it, expect, beforeEach, afterEach },
);
