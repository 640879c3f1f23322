import { afterAll, beforeAll } from "vitest";
import type { Database } from "../src/index.js";
import { freshPglite, truncateAll } from "./helpers/databases.js";
import { describeReportProperty } from "./report-property.js";
import { describeSqlBehaviour } from "./sql-behaviour.js";

let database: Database;
beforeAll(async () => {
  database = await freshPglite();
});
afterAll(async () => {
  await database?.close();
});

describeSqlBehaviour("PGlite", async () => {
  await truncateAll(database);
  return database;
});

describeReportProperty(
  "PGlite",
  async () => {
    await truncateAll(database);
    return database;
  },
  15,
);
