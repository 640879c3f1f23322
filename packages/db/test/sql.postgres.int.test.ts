import { afterAll, beforeAll } from "vitest";
import { createDb, type Database } from "../src/index.js";
import { createScratchPostgres, type ScratchPostgres, truncateAll } from "./helpers/databases.js";
import { describeReportProperty } from "./report-property.js";
import { describeSqlBehaviour } from "./sql-behaviour.js";

let scratch: ScratchPostgres;
let database: Database;
beforeAll(async () => {
  scratch = await createScratchPostgres("sql");
  database = await createDb({ url: scratch.url });
});
afterAll(async () => {
  await database?.close();
  await scratch?.drop();
});

describeSqlBehaviour("Postgres", async () => {
  await truncateAll(database);
  return database;
});

describeReportProperty(
  "Postgres",
  async () => {
    await truncateAll(database);
    return database;
  },
  15,
);
