import { afterAll, beforeAll } from "vitest";
import { type Database, PgStore } from "../src/index.js";
import { describeStoreConformance } from "./conformance.js";
import { freshPglite, truncateAll } from "./helpers/databases.js";

let database: Database;

beforeAll(async () => {
  database = await freshPglite();
});
afterAll(async () => {
  await database?.close();
});

describeStoreConformance("PGlite", async () => {
  await truncateAll(database);
  const store = await PgStore.open(database);
  return { store, close: () => store.close() };
});
